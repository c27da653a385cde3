import type { Context } from 'aws-lambda';
import { createLogger } from '../shared/adapters/logger';
import { loadHmacSecret } from '../shared/adapters/hmac-secret';
import { createRouteDeps } from '../shared/adapters/route-deps';
import { readRuntimeEnv } from '../shared/config/runtime-env';
import { bundledSettings } from '../shared/config/settings-source';
import { sweepSla } from '../shared/domain/sla-sweep';

const logger = createLogger('leadgate-sla-sweep');
const env = readRuntimeEnv();
const deps = createRouteDeps(env, bundledSettings(), await loadHmacSecret(env));

/** Scheduled: reassigns leads whose rep did not accept in time. */
export const handler = async (_event: unknown, context: Context) => {
  // Stop taking new leads with 5 s to spare; the next scheduled run picks up the rest.
  const until = Date.now() + context.getRemainingTimeInMillis() - 5000;
  const result = await sweepSla(deps, until);
  if (Object.values(result).some(Boolean)) logger.info('SLA sweep finished', { ...result });
  else logger.debug('SLA sweep found nothing due');
  return result;
};
