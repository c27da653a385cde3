import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';

const logger = new Logger({ serviceName: 'leadgate-route' });

/**
 * Placeholder routing consumer: acknowledges each routing message so the queue drains.
 * Scoring, routing and the assignment email replace it (issue: score and route leads).
 */
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  for (const record of event.Records) {
    logger.info('routing message received', { messageId: record.messageId });
  }
  return { batchItemFailures: [] };
};
