import type { QueueName } from '../topology';

/** Resource names in the local runtime (the stack lets CloudFormation name them). */
export const LOCAL_TABLE_NAME = 'leadgate-local';
export const localQueueName = (queue: QueueName): string => `leadgate-${queue}`;
export const localDeadLetterQueueName = (queue: QueueName): string => `leadgate-${queue}-dlq`;
