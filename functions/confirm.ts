import * as c from '../shared/adapters/components';
import { createLogger } from '../shared/adapters/logger';
import { createConfirmHandler } from '../shared/http/confirm-handler';

export const handler = createConfirmHandler(await c.confirmDeps(), createLogger());
