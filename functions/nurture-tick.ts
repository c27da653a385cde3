import * as c from '../shared/adapters/components';
import { createLogger } from '../shared/adapters/logger';
import { scheduledHandler } from '../shared/adapters/scheduled-handler';
import { queueDueNurtureSteps } from '../shared/domain/nurture/nurture-tick';

const deps = { leads: c.leads(), emailQueue: c.emailQueue(), clock: c.clock, mark: c.nurtureTickMark() };

/** Scheduled: queues the nurture steps that are due. */
export const handler = scheduledHandler(createLogger(), 'nurture tick', (until) => queueDueNurtureSteps(deps, until));
