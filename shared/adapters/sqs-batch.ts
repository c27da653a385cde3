import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';

/**
 * An SQS consumer handler where each record succeeds or fails on its own
 * (ReportBatchItemFailures, via Powertools batch processing).
 */
export function sqsBatchHandler(handleRecord: (record: SQSRecord) => Promise<void>) {
  const processor = new BatchProcessor(EventType.SQS);
  return (event: SQSEvent, context: Context) => processPartialResponse(event, handleRecord, processor, { context });
}
