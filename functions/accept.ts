import * as c from '../shared/adapters/components';
import { createLogger } from '../shared/adapters/logger';
import { createAcceptHandler } from '../shared/http/accept-handler';

export const handler = createAcceptHandler({ leads: c.leads(), keyring: await c.keyring(), clock: c.clock }, createLogger());
