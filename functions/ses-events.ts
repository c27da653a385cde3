import { createLogger } from '../shared/adapters/logger';
import type { SNSEvent } from 'aws-lambda';
import { loadHmacSecret } from '../shared/adapters/hmac-secret';
import { createRouteDeps } from '../shared/adapters/route-deps';
import { readRuntimeEnv } from '../shared/config/runtime-env';
import { bundledSettings } from '../shared/config/settings-source';
import { handleSesEvent } from '../shared/domain/ses-events';

const logger = createLogger('leadgate-ses-events');
const env = readRuntimeEnv();
const deps = createRouteDeps(env, bundledSettings(), await loadHmacSecret(env));

/** SES bounce and complaint events, delivered by SNS from the configuration set. */
export const handler = async (event: SNSEvent) => {
  for (const record of event.Records) {
    let payload: unknown;
    try {
      payload = JSON.parse(record.Sns.Message);
    } catch {
      logger.warn('SES event is not JSON; ignored', { messageId: record.Sns.MessageId });
      continue;
    }
    const result = await handleSesEvent(deps, payload);
    logger.info('SES event handled', { messageId: record.Sns.MessageId, ...result });
  }
};
