import type { Context } from 'aws-lambda';
import { createLogger } from '../shared/adapters/logger';
import * as c from '../shared/adapters/components';
import { queueDueNurtureSteps } from '../shared/domain/nurture-tick';

const logger = createLogger();
const deps = { leads: c.leads(), emailQueue: c.emailQueue(), clock: c.clock };

/** Scheduled: queues the nurture steps that are due. */
export const handler = async (_event: unknown, context: Context) => {
  // Stop taking new leads with 5 s to spare; the next scheduled run picks up the rest.
  const until = Date.now() + context.getRemainingTimeInMillis() - 5000;
  const result = await queueDueNurtureSteps(deps, until);
  // A run that found nothing to do is routine: only worth a line at DEBUG.
  if (result.queued || result.failed) logger.info('nurture tick finished', { ...result });
  else logger.debug('nurture tick found nothing due');
  return result;
};
