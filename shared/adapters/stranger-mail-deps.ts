import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RuntimeEnv } from '../config/runtime-env';
import type { Keyring } from '../domain/keyring';
import type { Mailer } from '../domain/ports';
import type { LeadgateSettings } from '../domain/settings';
import type { StrangerMailDeps } from '../domain/stranger-mail';
import { DynamoRateLimiter } from './dynamo-rate-limiter';
import { DynamoUnverifiedMailStats } from './dynamo-unverified-mail-stats';
import { createMailDomains } from './mail-domains';
import { createMailMetrics } from './metrics';

/** The budgets, mail-domain check, breaker and metrics behind every mail a stranger can cause. */
export function createStrangerMailDeps(
  env: RuntimeEnv,
  db: DynamoDBDocumentClient,
  base: { settings: LeadgateSettings; keyring: Keyring; mailer: Mailer },
  serviceName: string,
): StrangerMailDeps & { settings: LeadgateSettings } {
  const metrics = createMailMetrics(serviceName);
  return {
    ...base,
    rateLimiter: new DynamoRateLimiter(db, env.TABLE_NAME),
    mailDomains: createMailDomains(env),
    mailStats: new DynamoUnverifiedMailStats(db, env.TABLE_NAME),
    onRefused: metrics.refused,
  };
}
