import type { Context } from 'aws-lambda';
import * as c from '../shared/adapters/components';
import { createLogger } from '../shared/adapters/logger';
import { resendUnroutedSubmissions } from '../shared/domain/routing-sweep';

const logger = createLogger();
const deps = { submissions: c.submissions(), routing: c.routingQueue(), clock: c.clock };

/** Scheduled: re-sends routing for submissions whose message never completed. */
export const handler = async (_event: unknown, context: Context) => {
  // Stop taking new leads with 5 s to spare; the next scheduled run picks up the rest.
  const until = Date.now() + context.getRemainingTimeInMillis() - 5000;
  const { sent, failed } = await resendUnroutedSubmissions(deps, until);
  if (sent || failed) logger.warn('re-sent routing for submissions that never completed', { resent: sent, failed });
  return { resent: sent, failed };
};
