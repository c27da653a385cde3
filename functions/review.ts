import * as c from '../shared/adapters/components';
import { createLogger } from '../shared/adapters/logger';
import { createReviewHandler } from '../shared/http/review-handler';

export const handler = createReviewHandler(
  { submissions: c.submissions(), routing: c.routingQueue(), keyring: await c.keyring(), clock: c.clock },
  createLogger(),
);
