import * as c from '../shared/adapters/components';
import { createLogger } from '../shared/adapters/logger';
import { scheduledHandler } from '../shared/adapters/scheduled-handler';
import { resendUnroutedSubmissions } from '../shared/domain/routing/routing-sweep';

const deps = { submissions: c.submissions(), routing: c.routingQueue(), clock: c.clock };

/**
 * Scheduled: re-sends routing for submissions whose message never completed. Any it re-sends is
 * worth a warning: a routing message was lost or dead-lettered.
 */
export const handler = scheduledHandler(
  createLogger(),
  'routing sweep (re-sent routing for submissions that never completed)',
  async (until) => {
    const { sent, failed } = await resendUnroutedSubmissions(deps, until);
    return { resent: sent, failed };
  },
  'warn',
);
