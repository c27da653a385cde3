import * as c from '../shared/adapters/components';
import { createLogger } from '../shared/adapters/logger';
import { scheduledHandler } from '../shared/adapters/scheduled-handler';
import { publishDueOutboxes } from '../shared/domain/destinations/events-sweep';

const deps = { outboxes: c.outboxIndex(), leads: c.storedLeads(), notices: c.erasureNotices(), publisher: c.eventPublisher(), clock: c.clock };

/** Scheduled: publishes destination events left in an outbox. Any it publishes is worth a warning: a publication failed. */
export const handler = scheduledHandler(
  createLogger(),
  'events sweep (published events left in an outbox)',
  (until) => publishDueOutboxes(deps, until),
  'warn',
);
