import type { Context } from 'aws-lambda';
import { createLogger } from '../shared/adapters/logger';
import * as c from '../shared/adapters/components';
import { sweepSla } from '../shared/domain/sla-sweep';

const logger = createLogger();
const deps = await c.routeDeps();

/** Scheduled: reassigns leads whose rep did not accept in time. */
export const handler = async (_event: unknown, context: Context) => {
  // Stop taking new leads with 5 s to spare; the next scheduled run picks up the rest.
  const until = Date.now() + context.getRemainingTimeInMillis() - 5000;
  const result = await sweepSla(deps, until);
  if (Object.values(result).some(Boolean)) logger.info('SLA sweep finished', { ...result });
  else logger.debug('SLA sweep found nothing due');
  return result;
};
