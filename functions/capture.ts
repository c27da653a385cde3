import { createLogger } from '../shared/adapters/logger';
import { createSubmissionMetrics } from '../shared/adapters/metrics';
import { createDocumentClient, createSqsClient } from '../shared/adapters/aws-clients';
import { DynamoSubmissionStore } from '../shared/adapters/dynamo-submission-store';
import { DynamoRateLimiter } from '../shared/adapters/dynamo-rate-limiter';
import { DynamoRenderTokenLedger } from '../shared/adapters/dynamo-render-token-ledger';
import { DynamoSubmissionClaims } from '../shared/adapters/dynamo-submission-claims';
import { loadHmacSecret, loadSecret } from '../shared/adapters/hmac-secret';
import { TurnstileVerifier } from '../shared/adapters/turnstile-verifier';
import { SqsJsonQueue } from '../shared/adapters/sqs-queue';
import { readRuntimeEnv, requireVar } from '../shared/config/runtime-env';
import { bundledSettings } from '../shared/config/settings-source';
import { createKeyring } from '../shared/domain/keyring';
import { runtimeClock } from '../shared/adapters/runtime-clock';
import { createCaptureHandler } from '../shared/http/capture-handler';

// Once per container: configuration, secret and clients.
const env = readRuntimeEnv();
const db = createDocumentClient();
const settings = bundledSettings();
const secret = await loadHmacSecret(env);

export const handler = createCaptureHandler(
  {
    settings,
    keyring: createKeyring(secret),
    submissions: new DynamoSubmissionStore(db, env.TABLE_NAME),
    claims: new DynamoSubmissionClaims(db, env.TABLE_NAME),
    routing: new SqsJsonQueue(createSqsClient(), requireVar(env, 'ROUTING_QUEUE_URL')),
    clock: runtimeClock,
    rateLimiter: new DynamoRateLimiter(db, env.TABLE_NAME),
    renderTokens: new DynamoRenderTokenLedger(db, env.TABLE_NAME),
    countSubmission: createSubmissionMetrics('leadgate-capture'),
    ...(settings.screening.turnstile.enabled
      ? {
          humanVerifier: new TurnstileVerifier(
            await loadSecret(env.TURNSTILE_SECRET, env.TURNSTILE_SECRET_ARN, 'Turnstile secret'),
            settings.screening.turnstile.verifyUrl,
          ),
        }
      : {}),
  },
  createLogger('leadgate-capture'),
);
