import type { Context } from 'aws-lambda';
import { createDocumentClient, createSqsClient } from '../shared/adapters/aws-clients';
import { DynamoSubmissionStore } from '../shared/adapters/dynamo-submission-store';
import { createLogger } from '../shared/adapters/logger';
import { runtimeClock } from '../shared/adapters/runtime-clock';
import { SqsJsonQueue } from '../shared/adapters/sqs-queue';
import { readRuntimeEnv, requireVar } from '../shared/config/runtime-env';
import type { RoutingMessage } from '../shared/domain/ports';
import { resendUnroutedSubmissions } from '../shared/domain/routing-sweep';

const logger = createLogger('leadgate-routing-sweep');
const env = readRuntimeEnv();
const deps = {
  submissions: new DynamoSubmissionStore(createDocumentClient(), env.TABLE_NAME),
  routing: new SqsJsonQueue<RoutingMessage>(createSqsClient(), requireVar(env, 'ROUTING_QUEUE_URL')),
  clock: runtimeClock,
};

/** Scheduled: re-sends routing for submissions whose message never completed. */
export const handler = async (_event: unknown, context: Context) => {
  // Stop taking new leads with 5 s to spare; the next scheduled run picks up the rest.
  const until = Date.now() + context.getRemainingTimeInMillis() - 5000;
  const { sent, failed } = await resendUnroutedSubmissions(deps, until);
  if (sent || failed) logger.warn('re-sent routing for submissions that never completed', { resent: sent, failed });
  return { resent: sent, failed };
};
