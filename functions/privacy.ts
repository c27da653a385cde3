import { createLogger } from '../shared/adapters/logger';
import { createDocumentClient } from '../shared/adapters/aws-clients';
import { DynamoLeadEraser, DynamoPrivacyRequests } from '../shared/adapters/dynamo-privacy';
import { loadHmacSecret, loadSecret } from '../shared/adapters/hmac-secret';
import { createRouteDeps } from '../shared/adapters/route-deps';
import { TurnstileVerifier } from '../shared/adapters/turnstile-verifier';
import { readRuntimeEnv } from '../shared/config/runtime-env';
import { bundledSettings } from '../shared/config/settings-source';
import { privacyEmails } from '../shared/email/privacy-emails';
import { createPrivacyHandler } from '../shared/http/privacy-handler';

const env = readRuntimeEnv();
const settings = bundledSettings();
const base = createRouteDeps(env, settings, await loadHmacSecret(env), 'leadgate-privacy');
const db = createDocumentClient();

/** Privacy requests: the only function allowed to delete lead data. */
export const handler = createPrivacyHandler(
  {
    ...base,
    requests: new DynamoPrivacyRequests(db, env.TABLE_NAME),
    eraser: new DynamoLeadEraser(db, env.TABLE_NAME),
    privacyEmails: privacyEmails(settings),
    ...(settings.screening.turnstile.enabled
      ? {
          humanVerifier: new TurnstileVerifier(
            await loadSecret(env.TURNSTILE_SECRET, env.TURNSTILE_SECRET_ARN, 'Turnstile secret'),
            settings.screening.turnstile.verifyUrl,
          ),
        }
      : {}),
  },
  createLogger('leadgate-privacy'),
);
