import { SECRET_VARIABLES } from '../shared/config/function-env';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DEFAULT_PORTS, LOCAL_TABLE_NAME, localDeadLetterQueueName, localQueueName } from '../infra/local/names';
import { queueNames, type QueueName } from '../infra/topology';
import { SqsJsonQueue } from '../shared/adapters/sqs-queue';
import type { RoutingQueue } from '../shared/domain/core/ports';

export interface Connection {
  db: DynamoDBDocumentClient;
  routingQueue: RoutingQueue;
  sqs: SQSClient;
  /** Each work queue's URL and its dead-letter queue's URL. */
  queues: Record<QueueName, { url: string; deadLetterUrl: string }>;
  tableName: string;
  secret: string;
  where: string;
  close(): void;
}

export interface ConnectionOptions {
  stack?: string | undefined;
  env: NodeJS.ProcessEnv;
}

/**
 * Where the CLI works: the local runtime by default (its DynamoDB and the secret in .leadgate/),
 * or a deployed stack with --stack NAME, found through the standard AWS credential chain.
 */
export async function connect({ stack, env }: ConnectionOptions): Promise<Connection> {
  if (stack) {
    const cloudFormation = new CloudFormationClient({});
    const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stack }));
    const outputs = Object.fromEntries((Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
    if (!outputs.TableName || !outputs.HmacSecretArn || !outputs.routingQueueUrl) {
      throw new Error(`stack ${stack} lacks the TableName, HmacSecretArn or routingQueueUrl output`);
    }
    const queues = Object.fromEntries(
      queueNames.map((name) => [name, { url: outputs[`${name}QueueUrl`] ?? '', deadLetterUrl: outputs[`${name}DeadLetterQueueUrl`] ?? '' }]),
    ) as Connection['queues'];
    const sqs = new SQSClient({});
    const secrets = new SecretsManagerClient({});
    const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: outputs.HmacSecretArn }));
    const low = new DynamoDBClient({});
    return {
      db: DynamoDBDocumentClient.from(low, { marshallOptions: { removeUndefinedValues: true } }),
      routingQueue: new SqsJsonQueue(sqs, outputs.routingQueueUrl),
      sqs,
      queues,
      tableName: outputs.TableName,
      secret: SecretString ?? '',
      where: `stack ${stack}`,
      close: () => {
        low.destroy();
        sqs.destroy();
      },
    };
  }
  const endpoint = env.LEADGATE_DYNAMODB_ENDPOINT ?? `http://127.0.0.1:${env.LEADGATE_DYNAMODB_PORT ?? DEFAULT_PORTS.dynamodb}`;
  let secret = env[SECRET_VARIABLES.hmac.value];
  if (!secret) {
    try {
      secret = readFileSync(join('.leadgate', 'hmac-secret'), 'utf8').trim();
    } catch {
      throw new Error('no local data: start Leadgate with `npm start` first (or pass --stack NAME)');
    }
  }
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const low = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials });
  const sqsEndpoint = env.LEADGATE_SQS_ENDPOINT ?? `http://127.0.0.1:${env.LEADGATE_SQS_PORT ?? DEFAULT_PORTS.sqs}`;
  const sqs = new SQSClient({ endpoint: sqsEndpoint, region: 'us-east-1', credentials });
  return {
    db: DynamoDBDocumentClient.from(low, { marshallOptions: { removeUndefinedValues: true } }),
    routingQueue: new SqsJsonQueue(sqs, `${sqsEndpoint}/000000000000/${localQueueName('routing')}`),
    sqs,
    queues: Object.fromEntries(
      queueNames.map((name) => [
        name,
        { url: `${sqsEndpoint}/000000000000/${localQueueName(name)}`, deadLetterUrl: `${sqsEndpoint}/000000000000/${localDeadLetterQueueName(name)}` },
      ]),
    ) as Connection['queues'],
    tableName: env.LEADGATE_TABLE_NAME ?? LOCAL_TABLE_NAME,
    secret,
    where: `local runtime (${endpoint})`,
    close: () => {
      low.destroy();
      sqs.destroy();
    },
  };
}
