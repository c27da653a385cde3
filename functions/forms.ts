import { loadHmacSecret } from '../shared/adapters/secrets';
import { createLogger } from '../shared/adapters/logger';
import { runtimeClock } from '../shared/adapters/runtime-clock';
import { functionEnv } from '../shared/config/function-env';
import { bundledSettings } from '../shared/config/settings-source';
import { createKeyring } from '../shared/domain/core/keyring';
import { createFormsHandler } from '../shared/http/forms-handler';

// Not built from shared/adapters/components: that module would bring the DynamoDB, SQS and SES clients into a function with no table, queue or mail.
const env = functionEnv();
export const handler = createFormsHandler(
  {
    settings: bundledSettings(),
    keyring: createKeyring(await loadHmacSecret(env)),
    clock: runtimeClock,
    urls: { api: env.publicApiUrl(), capture: env.publicCaptureUrl() },
  },
  createLogger(),
);
