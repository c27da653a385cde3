import { createLogger } from '../shared/adapters/logger';
import { loadHmacSecret } from '../shared/adapters/hmac-secret';
import { createRouteDeps } from '../shared/adapters/route-deps';
import { readRuntimeEnv } from '../shared/config/runtime-env';
import { bundledSettings } from '../shared/config/settings-source';
import { createConfirmHandler } from '../shared/http/confirm-handler';

const env = readRuntimeEnv();

export const handler = createConfirmHandler(
  createRouteDeps(env, bundledSettings(), await loadHmacSecret(env)),
  createLogger('leadgate-confirm'),
);
