import * as c from '../shared/adapters/components';
import { createLogger } from '../shared/adapters/logger';
import { createSlaMetrics } from '../shared/adapters/metrics';
import { scheduledHandler } from '../shared/adapters/scheduled-handler';
import { sweepSla } from '../shared/domain/routing/sla-sweep';

const deps = await c.routeDeps();
const countMisses = createSlaMetrics();

/** Scheduled: reassigns leads whose rep did not accept in time. */
export const handler = scheduledHandler(createLogger(), 'SLA sweep', async (until) => {
  const result = await sweepSla(deps, until);
  countMisses(result);
  return result;
});
