import * as c from '../shared/adapters/components';
import { createLogger } from '../shared/adapters/logger';
import { createSubmissionMetrics } from '../shared/adapters/metrics';
import { createCaptureHandler } from '../shared/http/capture-handler';

// Once per container: the adapters this function's bindings allow (infra/topology.ts).
const humanVerifier = await c.humanVerifier();

export const handler = createCaptureHandler(
  {
    settings: c.settings(),
    keyring: await c.signingKeyring(),
    submissions: c.submissions(),
    routing: c.routingQueue(),
    clock: c.clock,
    rateLimiter: c.rateLimiter(),
    countSubmission: createSubmissionMetrics(),
    counters: c.counters(),
    publicUrl: c.publicUrl(),
    ...(humanVerifier ? { humanVerifier } : {}),
  },
  createLogger(),
);
