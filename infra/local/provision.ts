import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { queueNames, topology, type QueueName } from '../topology';
import { CreateTopicCommand, type SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { destinationFilterPolicy } from '../../shared/adapters/sns-event-publisher';
import { LOCAL_TABLE_NAME, localDeadLetterQueueName, localDestinationQueueName, localQueueName, localTopicName } from './names';

export interface LocalQueue {
  url: string;
  arn: string;
  deadLetterUrl: string;
}

/** Creates the table as the stack declares it (dynalite has no TTL API; the sweeper stands in). */
export async function provisionTable(dynamodb: DynamoDBClient): Promise<string> {
  const { partitionKey, sortKey, indexes } = topology.table;
  try {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: LOCAL_TABLE_NAME,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: partitionKey, AttributeType: 'S' },
          { AttributeName: sortKey, AttributeType: 'S' },
          ...indexes.flatMap((index) => [
            { AttributeName: index.partitionKey, AttributeType: 'S' as const },
            { AttributeName: index.sortKey, AttributeType: index.sortKeyType },
          ]),
        ],
        KeySchema: [
          { AttributeName: partitionKey, KeyType: 'HASH' },
          { AttributeName: sortKey, KeyType: 'RANGE' },
        ],
        ...(indexes.length
          ? {
              GlobalSecondaryIndexes: indexes.map((index) => ({
                IndexName: index.name,
                KeySchema: [
                  { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
                  { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
                ],
                Projection: { ProjectionType: 'KEYS_ONLY' as const },
              })),
            }
          : {}),
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  for (let i = 0; i < 100; i++) {
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: LOCAL_TABLE_NAME }));
    if (Table?.TableStatus === 'ACTIVE') return LOCAL_TABLE_NAME;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`table ${LOCAL_TABLE_NAME} did not become active`);
}

async function queueArn(sqs: SQSClient, url: string): Promise<string> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  if (!Attributes?.QueueArn) throw new Error(`no ARN for queue ${url}`);
  return Attributes.QueueArn;
}

/**
 * fauxqs names queues `http://sqs.<region>.localhost:<port>/...`, a host that does not resolve
 * everywhere; it finds queues by name whatever the host, so the URLs point at its address.
 */
const atEndpoint = (queueUrl: string, endpoint: string): string => new URL(new URL(queueUrl).pathname, endpoint).href;

/** Creates each topology queue with its dead-letter queue and redrive policy. */
export async function provisionQueues(sqs: SQSClient, endpoint: string, visibilityTimeoutSeconds?: number): Promise<Record<QueueName, LocalQueue>> {
  const queues = {} as Record<QueueName, LocalQueue>;
  for (const name of queueNames) {
    const spec = topology.queues[name];
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: localDeadLetterQueueName(name) }));
    const deadLetterUrl = atEndpoint(dlq.QueueUrl as string, endpoint);
    const created = await sqs.send(
      new CreateQueueCommand({
        QueueName: localQueueName(name),
        Attributes: {
          VisibilityTimeout: String(visibilityTimeoutSeconds ?? spec.visibilityTimeoutSeconds),
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: await queueArn(sqs, deadLetterUrl),
            maxReceiveCount: spec.maxReceiveCount,
          }),
        },
      }),
    );
    const url = atEndpoint(created.QueueUrl as string, endpoint);
    queues[name] = { url, arn: await queueArn(sqs, url), deadLetterUrl };
  }
  return queues;
}

export interface LocalDestinationQueue extends LocalQueue {
  destinationId: string;
}

/**
 * The events topic (SNS FIFO) and, per destination, a FIFO queue with its FIFO dead-letter queue,
 * subscribed with raw delivery and a filter on the destination's id: what the stack declares.
 */
export async function provisionDestinations(
  sqs: SQSClient,
  sns: SNSClient,
  endpoint: string,
  destinationIds: readonly string[],
  visibilityTimeoutSeconds?: number,
): Promise<{ topicArn: string; queues: Record<string, LocalDestinationQueue> }> {
  const spec = topology.destinationQueues;
  const { TopicArn } = await sns.send(
    new CreateTopicCommand({ Name: localTopicName(spec.topic), Attributes: { FifoTopic: 'true', ContentBasedDeduplication: 'false' } }),
  );
  const topicArn = TopicArn as string;
  const queues: Record<string, LocalDestinationQueue> = {};
  for (const id of destinationIds) {
    const dlq = await sqs.send(new CreateQueueCommand({ QueueName: localDestinationQueueName(id, true), Attributes: { FifoQueue: 'true' } }));
    const deadLetterUrl = atEndpoint(dlq.QueueUrl as string, endpoint);
    const created = await sqs.send(
      new CreateQueueCommand({
        QueueName: localDestinationQueueName(id, false),
        Attributes: {
          FifoQueue: 'true',
          VisibilityTimeout: String(visibilityTimeoutSeconds ?? spec.visibilityTimeoutSeconds),
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: await queueArn(sqs, deadLetterUrl), maxReceiveCount: spec.maxReceiveCount }),
        },
      }),
    );
    const url = atEndpoint(created.QueueUrl as string, endpoint);
    const arn = await queueArn(sqs, url);
    await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: arn,
        Attributes: { RawMessageDelivery: 'true', FilterPolicy: destinationFilterPolicy(id) },
      }),
    );
    queues[id] = { destinationId: id, url, arn, deadLetterUrl };
  }
  return { topicArn, queues };
}
