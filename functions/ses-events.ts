import * as c from '../shared/adapters/components';
import { createLogger } from '../shared/adapters/logger';
import { sqsBatchHandler } from '../shared/adapters/sqs-batch';
import { handleSesEvent } from '../shared/domain/nurture/ses-events';

const logger = createLogger();
const deps = { ...(await c.consentDeps()), mailStats: c.mailStats() };
const metrics = c.mailMetrics();

/**
 * SES bounce and complaint events, delivered by SNS into the events queue (raw message delivery).
 * A record that fails is retried by the queue and dead-lettered after its max receive count.
 */
export const handler = sqsBatchHandler(
  async (record) => {
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
  },
  { logger, afterBatch: () => c.counters().flush() },
);
