import { createLogger } from '../shared/adapters/logger';
import { createDocumentClient } from '../shared/adapters/aws-clients';
import { DynamoLeadRepository } from '../shared/adapters/dynamo-lead-repository';
import { loadHmacSecret } from '../shared/adapters/hmac-secret';
import { runtimeClock } from '../shared/adapters/runtime-clock';
import { readRuntimeEnv } from '../shared/config/runtime-env';
import { createKeyring } from '../shared/domain/keyring';
import { createAcceptHandler } from '../shared/http/accept-handler';

const env = readRuntimeEnv();

export const handler = createAcceptHandler(
  {
    leads: new DynamoLeadRepository(createDocumentClient(), env.TABLE_NAME),
    keyring: createKeyring(await loadHmacSecret(env)),
    clock: runtimeClock,
  },
  createLogger('leadgate-accept'),
);
