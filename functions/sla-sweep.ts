import * as c from '../shared/adapters/components';
import { createLogger } from '../shared/adapters/logger';
import { scheduledHandler } from '../shared/adapters/scheduled-handler';
import { sweepSla } from '../shared/domain/routing/sla-sweep';

const deps = await c.routeDeps();

/** Scheduled: reassigns leads whose rep did not accept in time. */
export const handler = scheduledHandler(createLogger(), 'SLA sweep', (until) => sweepSla(deps, until));
