import { loadHmacSecret } from '../shared/adapters/hmac-secret';
import { createLogger } from '../shared/adapters/logger';
import { runtimeClock } from '../shared/adapters/runtime-clock';
import { readSecretEnv } from '../shared/config/runtime-env';
import { bundledSettings } from '../shared/config/settings-source';
import { createKeyring } from '../shared/domain/keyring';
import { createFormsHandler } from '../shared/http/forms-handler';

const env = readSecretEnv();

export const handler = createFormsHandler(
  { settings: bundledSettings(), keyring: createKeyring(await loadHmacSecret(env)), clock: runtimeClock },
  createLogger('leadgate-forms'),
);
