import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { RouteOutcome } from '../domain/route-lead';

export type SubmissionOutcome = 'accepted' | 'quarantined' | 'rejected';

/** What a routing outcome means for the per-form screening counts (undefined: counted before). */
export function submissionOutcome(outcome: RouteOutcome): SubmissionOutcome | undefined {
  if (outcome === 'quarantined') return 'quarantined';
  if (outcome === 'assigned' || outcome === 'no_consent') return 'accepted';
  return undefined;
}

/** CloudWatch embedded metrics: `Submissions` by form and outcome (accepted, quarantined, rejected). */
export function createSubmissionMetrics(serviceName: string) {
  const metrics = new Metrics({ namespace: 'Leadgate', serviceName });
  return (formId: string, outcome: SubmissionOutcome | undefined) => {
    if (!outcome) return;
    metrics.singleMetric().addDimension('formId', formId).addDimension('outcome', outcome).addMetric('Submissions', MetricUnit.Count, 1);
  };
}
