import { createLogger } from '../shared/adapters/logger';
import { createSubmissionMetrics, submissionOutcome } from '../shared/adapters/metrics';
import { loadHmacSecret } from '../shared/adapters/hmac-secret';
import { createRouteDeps } from '../shared/adapters/route-deps';
import { sqsBatchHandler } from '../shared/adapters/sqs-batch';
import { readRuntimeEnv } from '../shared/config/runtime-env';
import { bundledSettings } from '../shared/config/settings-source';
import { parseRoutingMessage } from '../shared/domain/queue-messages';
import { routeLead } from '../shared/domain/route-lead';

const logger = createLogger('leadgate-route');
const env = readRuntimeEnv();
const deps = createRouteDeps(env, bundledSettings(), await loadHmacSecret(env));
const countSubmission = createSubmissionMetrics('leadgate-route');

/** Routing queue consumer: score, assign, enrol, confirm, one submission per record. */
export const handler = sqsBatchHandler(async (record) => {
  const message = parseRoutingMessage(record.body);
  const outcome = await routeLead(deps, message);
  logger.info('routing message handled', { submissionId: message.submissionId, formId: message.formId, outcome });
  countSubmission(message.formId, submissionOutcome(outcome));
});
