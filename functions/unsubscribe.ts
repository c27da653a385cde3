import * as c from '../shared/adapters/components';
import { createLogger } from '../shared/adapters/logger';
import { createUnsubscribeHandler } from '../shared/http/unsubscribe-handler';

export const handler = createUnsubscribeHandler(await c.consentDeps(), createLogger());
