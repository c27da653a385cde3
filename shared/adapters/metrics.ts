import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { RouteOutcome } from '../domain/routing/route-lead';
import { UNVERIFIED_MAIL_PAUSED_METRIC, type StrangerMailRefusal } from '../domain/screening/stranger-mail';

/** The service dimension is the function's service-name variable (VARIABLES.serviceName) (infra/topology.ts). */
const NAMESPACE = 'Leadgate';

export type SubmissionOutcome = 'accepted' | 'quarantined' | 'rejected';

/** What a routing outcome means for the per-form screening counts (undefined: counted before). */
export function submissionOutcome(outcome: RouteOutcome): SubmissionOutcome | undefined {
  if (outcome === 'quarantined') return 'quarantined';
  if (outcome === 'assigned' || outcome === 'no_consent') return 'accepted';
  return undefined;
}

/** CloudWatch embedded metrics: `Submissions` by form and outcome (accepted, quarantined, rejected). */
export function createSubmissionMetrics() {
  const metrics = new Metrics({ namespace: NAMESPACE });
  return (formId: string, outcome: SubmissionOutcome | undefined) => {
    if (!outcome) return;
    metrics.singleMetric().addDimension('formId', formId).addDimension('outcome', outcome).addMetric('Submissions', MetricUnit.Count, 1);
  };
}

/**
 * CloudWatch embedded metrics for mail to unconfirmed addresses: `StrangerMailRefused` by reason,
 * and `UnverifiedMailPaused` when the bounce breaker trips (the stack alarms on it).
 */
export function createMailMetrics() {
  const metrics = new Metrics({ namespace: NAMESPACE });
  return {
    refused(reason: StrangerMailRefusal) {
      metrics.singleMetric().addDimension('reason', reason).addMetric('StrangerMailRefused', MetricUnit.Count, 1);
    },
    paused() {
      metrics.singleMetric().addMetric(UNVERIFIED_MAIL_PAUSED_METRIC, MetricUnit.Count, 1);
    },
    /** `NurtureStepsDeferred`: a step claimed at routing whose send failed, left for the nurture scheduler. */
    nurtureDeferred() {
      metrics.singleMetric().addMetric('NurtureStepsDeferred', MetricUnit.Count, 1);
    },
  };
}

/** `Deliveries` by destination and outcome; the dashboard shows the failed ones beside each destination's dead letters. */
export function createDeliveryMetrics() {
  const metrics = new Metrics({ namespace: NAMESPACE });
  return (destinationId: string, outcome: string) => {
    metrics.singleMetric().addDimension('destination', destinationId).addDimension('outcome', outcome).addMetric('Deliveries', MetricUnit.Count, 1);
  };
}

/** `SlaMisses`: leads whose rep did not accept in time (reassigned, or left with the last rep), per sweep. */
export function createSlaMetrics() {
  const metrics = new Metrics({ namespace: NAMESPACE });
  return (result: { reassigned: number; exhausted: number }) => {
    const misses = result.reassigned + result.exhausted;
    // Nothing on a quiet run: the dashboard shows no data as none missed, and the logs stay short.
    if (misses > 0) metrics.singleMetric().addMetric('SlaMisses', MetricUnit.Count, misses);
  };
}
