import type { QueueName, TopicName } from '../topology';

/** Resource names in the local runtime (the stack lets CloudFormation name them). */
export const LOCAL_TABLE_NAME = 'leadgate-local';
export const localQueueName = (queue: QueueName): string => `leadgate-${queue}`;
export const localDeadLetterQueueName = (queue: QueueName): string => `leadgate-${queue}-dlq`;

export const localTopicName = (topic: TopicName): string => `leadgate-${topic}.fifo`;
export const localDestinationQueueName = (destinationId: string, deadLetter: boolean): string =>
  `leadgate-dest-${destinationId}${deadLetter ? '-dlq' : ''}.fifo`;

/** Where `npm start` listens (127.0.0.1); `capture` is capture's function URL (edge.captureFunctionUrl). */
export const DEFAULT_PORTS = { api: 3000, capture: 3001, dynamodb: 8000, sqs: 9324, ses: 8005, destinations: 8010 };

/** Where `npm start` keeps its data (DynamoDB files, the local HMAC secret, runtime.json), in the project folder. */
export const DATA_DIR = '.leadgate';
