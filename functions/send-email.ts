import { createLogger } from '../shared/adapters/logger';
import { loadHmacSecret } from '../shared/adapters/hmac-secret';
import { createRouteDeps } from '../shared/adapters/route-deps';
import { sqsBatchHandler } from '../shared/adapters/sqs-batch';
import { readRuntimeEnv } from '../shared/config/runtime-env';
import { bundledSettings } from '../shared/config/settings-source';
import { parseNurtureMessage } from '../shared/domain/queue-messages';
import { sendNurtureStep } from '../shared/domain/send-nurture';

const logger = createLogger('leadgate-send-email');
const env = readRuntimeEnv();
const deps = createRouteDeps(env, bundledSettings(), await loadHmacSecret(env));

/** Email queue consumer: sends one nurture step per record, re-checking consent and suppression. */
export const handler = sqsBatchHandler(async (record) => {
  const message = parseNurtureMessage(record.body);
  const outcome = await sendNurtureStep(deps, message);
  logger.info('nurture step handled', { sequence: message.sequence, step: message.step, outcome });
});
