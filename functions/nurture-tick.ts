import type { Context } from 'aws-lambda';
import { createLogger } from '../shared/adapters/logger';
import { createDocumentClient, createSqsClient } from '../shared/adapters/aws-clients';
import { DynamoLeadRepository } from '../shared/adapters/dynamo-lead-repository';
import { runtimeClock } from '../shared/adapters/runtime-clock';
import { SqsJsonQueue } from '../shared/adapters/sqs-queue';
import { readRuntimeEnv, requireVar } from '../shared/config/runtime-env';
import { queueDueNurtureSteps } from '../shared/domain/nurture-tick';
import type { NurtureMessage } from '../shared/domain/ports';

const logger = createLogger('leadgate-nurture-tick');
const env = readRuntimeEnv();
const deps = {
  leads: new DynamoLeadRepository(createDocumentClient(), env.TABLE_NAME),
  emailQueue: new SqsJsonQueue<NurtureMessage>(createSqsClient(), requireVar(env, 'EMAIL_QUEUE_URL')),
  clock: runtimeClock,
};

/** Scheduled: queues the nurture steps that are due. */
export const handler = async (_event: unknown, context: Context) => {
  // Stop taking new leads with 5 s to spare; the next scheduled run picks up the rest.
  const until = Date.now() + context.getRemainingTimeInMillis() - 5000;
  const result = await queueDueNurtureSteps(deps, until);
  // A run that found nothing to do is routine: only worth a line at DEBUG.
  if (result.queued || result.failed) logger.info('nurture tick finished', { ...result });
  else logger.debug('nurture tick found nothing due');
  return result;
};
