import { createLogger } from '../shared/adapters/logger';
import { createSubmissionMetrics, submissionOutcome } from '../shared/adapters/metrics';
import * as c from '../shared/adapters/components';
import { sqsBatchHandler } from '../shared/adapters/sqs-batch';
import { parseRoutingMessage } from '../shared/domain/routing/queue-messages';
import { routeLead } from '../shared/domain/routing/route-lead';

const logger = createLogger();
const deps = await c.routeDeps();
const countSubmission = createSubmissionMetrics();

/** Routing queue consumer: score, assign, enrol, confirm, one submission per record. */
export const handler = sqsBatchHandler(
  async (record) => {
    const message = parseRoutingMessage(record.body);
    const outcome = await routeLead(deps, message);
    logger.info('routing message handled', { submissionId: message.submissionId, formId: message.formId, outcome });
    countSubmission(message.formId, submissionOutcome(outcome));
  },
  { logger, oneAtATimePer: leadOf, afterBatch: () => c.counters().flush() },
);

/** Submissions of one person in a batch change one lead item: they are routed one after another. */
function leadOf(record: { body: string }): string | undefined {
  try {
    return parseRoutingMessage(record.body).leadId;
  } catch {
    return undefined; // handled (and dead-lettered) on its own
  }
}
