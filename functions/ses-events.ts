import { loadHmacSecret } from '../shared/adapters/hmac-secret';
import { createLogger } from '../shared/adapters/logger';
import { createMailMetrics } from '../shared/adapters/metrics';
import { createRouteDeps } from '../shared/adapters/route-deps';
import { sqsBatchHandler } from '../shared/adapters/sqs-batch';
import { readRuntimeEnv } from '../shared/config/runtime-env';
import { bundledSettings } from '../shared/config/settings-source';
import { handleSesEvent } from '../shared/domain/ses-events';

const logger = createLogger('leadgate-ses-events');
const env = readRuntimeEnv();
const deps = createRouteDeps(env, bundledSettings(), await loadHmacSecret(env), 'leadgate-ses-events');
const metrics = createMailMetrics('leadgate-ses-events');

/**
 * SES bounce and complaint events, delivered by SNS into the events queue (raw message delivery).
 * A record that fails is retried by the queue and dead-lettered after its max receive count.
 */
export const handler = sqsBatchHandler(async (record) => {
  let payload: unknown;
  try {
    payload = JSON.parse(record.body);
    // A message SNS could not deliver, redriven from the DLQ, may still be in its envelope.
    const envelope = payload as { Type?: unknown; Message?: unknown };
    if (envelope.Type === 'Notification' && typeof envelope.Message === 'string') payload = JSON.parse(envelope.Message);
  } catch {
    logger.warn('SES event is not JSON; ignored', { messageId: record.messageId });
    return;
  }
  const result = await handleSesEvent(deps, payload);
  if (result.pausedUnverifiedMail) {
    metrics.paused();
    logger.warn('mail to unconfirmed addresses paused: hard-bounce rate over the threshold', { bounceRate: result.bounceRate });
  }
  logger.info('SES event handled', { messageId: record.messageId, ...result });
});
