import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';

export interface SqsBatchOptions {
  /**
   * Told of each record that failed (it comes back after its visibility timeout, then goes to the
   * dead-letter queue): its message id and the error, which the logger writes as its name and
   * source-mapped frames. Powertools' batch processor itself logs nothing of a failed record.
   */
  logger: { warn(message: string, extra: Record<string, unknown>): void };
  /**
   * Records with the same key are handled one after another, in batch order, whatever the one
   * before did; different keys (and records without one) run in parallel. For records that change
   * the same item: racing each other only wastes conditional writes.
   */
  oneAtATimePer?: (record: SQSRecord) => string | undefined;
  /** Runs once every record is done, before the batch's answer (the report counts its records made go out together). Must not throw. */
  afterBatch?: () => Promise<void>;
}

/**
 * An SQS consumer handler where each record succeeds or fails on its own
 * (ReportBatchItemFailures, via Powertools batch processing).
 */
export function sqsBatchHandler(handleRecord: (record: SQSRecord) => Promise<void>, options: SqsBatchOptions) {
  const processor = new BatchProcessor(EventType.SQS);
  const { oneAtATimePer, afterBatch, logger } = options;
  const handled = async (record: SQSRecord) => {
    try {
      await handleRecord(record);
    } catch (error) {
      logger.warn('record failed; SQS delivers it again', { messageId: record.messageId, error });
      throw error;
    }
  };
  return async (event: SQSEvent, context: Context) => {
    const response = await processPartialResponse(event, oneAtATimePer ? inTurnPerKey(handled, oneAtATimePer) : handled, processor, { context });
    await afterBatch?.();
    return response;
  };
}

/** Chains the records of each key for one invocation's batch. */
function inTurnPerKey(handleRecord: (record: SQSRecord) => Promise<void>, keyOf: (record: SQSRecord) => string | undefined) {
  const lastOf = new Map<string, Promise<unknown>>();
  return (record: SQSRecord): Promise<void> => {
    const key = keyOf(record);
    if (key === undefined) return handleRecord(record);
    const previous = lastOf.get(key) ?? Promise.resolve();
    const turn = previous.then(
      () => handleRecord(record),
      () => handleRecord(record),
    );
    lastOf.set(key, turn);
    return turn;
  };
}
