import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { loadHmacSecret } from '../shared/adapters/hmac-secret';
import { createRouteDeps } from '../shared/adapters/route-deps';
import { readRuntimeEnv } from '../shared/config/runtime-env';
import { bundledSettings } from '../shared/config/settings-source';
import { routeLead } from '../shared/domain/route-lead';
import { parseRoutingMessage } from '../shared/domain/routing-message';

const logger = new Logger({ serviceName: 'leadgate-route' });
const env = readRuntimeEnv();
const deps = createRouteDeps(env, bundledSettings(), await loadHmacSecret(env));
const processor = new BatchProcessor(EventType.SQS);

async function routeRecord(record: SQSRecord): Promise<void> {
  const message = parseRoutingMessage(record.body);
  const outcome = await routeLead(deps, message);
  logger.info('routing message handled', { submissionId: message.submissionId, formId: message.formId, outcome });
}

/** SQS consumer: each record succeeds or fails on its own (ReportBatchItemFailures). */
export const handler = (event: SQSEvent, context: Context) =>
  processPartialResponse(event, routeRecord, processor, { context });
