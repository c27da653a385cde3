import { SECRET_VARIABLES } from '../shared/config/function-env';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DATA_DIR, LOCAL_TABLE_NAME, localDeadLetterQueueName, localDestinationQueueName, localQueueName } from '../infra/local/names';
import { destinationOutputKey } from '../infra/constructs/destination-names';
import { readRuntimeState } from '../infra/local/runtime-state';
import { LOCAL_AWS_REQUEST_TIMEOUT_MS } from '../infra/local/function-environment';
import { runtimeClock } from '../shared/adapters/runtime-clock';
import { queueNames, type QueueName } from '../infra/topology';
import { SqsJsonQueue } from '../shared/adapters/sqs-queue';
import { requestHandler } from '../shared/adapters/aws-clients';
import type { Clock, RoutingQueue } from '../shared/domain/core/ports';

export interface Connection {
  db: DynamoDBDocumentClient;
  routingQueue: RoutingQueue;
  sqs: SQSClient;
  /** Each work queue's URL and its dead-letter queue's URL. */
  queues: Record<QueueName, { url: string; deadLetterUrl: string }>;
  /** A destination's FIFO queue and dead-letter queue. */
  destinationQueue(destinationId: string): { url: string; deadLetterUrl: string };
  tableName: string;
  secret: string;
  /** The clock of what the CLI works on: the local runtime's (which may have been moved), or the system's. */
  clock: Clock;
  where: string;
  close(): void;
}

export interface ConnectionOptions {
  stack?: string | undefined;
  env: NodeJS.ProcessEnv;
  /** The project folder (or its data folder) of the local runtime; default: the current folder. */
  dir?: string | undefined;
}

/** A deployed stack's outputs by key (standard AWS credentials and region). */
export async function stackOutputs(stack: string): Promise<Record<string, string | undefined>> {
  const cloudFormation = new CloudFormationClient({ requestHandler: requestHandler() });
  try {
    const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stack }));
    return Object.fromEntries((Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
  } finally {
    cloudFormation.destroy();
  }
}

/**
 * Where the CLI works: the local runtime by default (found through its state file in .leadgate/),
 * or a deployed stack with --stack NAME, found through the standard AWS credential chain.
 */
export async function connect({ stack, env, dir }: ConnectionOptions): Promise<Connection> {
  if (stack) {
    const outputs = await stackOutputs(stack);
    if (!outputs.TableName || !outputs.HmacSecretArn || !outputs.routingQueueUrl) {
      throw new Error(`stack ${stack} lacks the TableName, HmacSecretArn or routingQueueUrl output`);
    }
    const queues = Object.fromEntries(
      queueNames.map((name) => [name, { url: outputs[`${name}QueueUrl`] ?? '', deadLetterUrl: outputs[`${name}DeadLetterQueueUrl`] ?? '' }]),
    ) as Connection['queues'];
    const sqs = new SQSClient({ requestHandler: requestHandler() });
    const secrets = new SecretsManagerClient({ requestHandler: requestHandler() });
    const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: outputs.HmacSecretArn }));
    const low = new DynamoDBClient({ requestHandler: requestHandler() });
    return {
      db: DynamoDBDocumentClient.from(low, { marshallOptions: { removeUndefinedValues: true } }),
      routingQueue: new SqsJsonQueue(sqs, outputs.routingQueueUrl),
      sqs,
      queues,
      destinationQueue(id) {
        const key = destinationOutputKey(id);
        const url = outputs[`${key}QueueUrl`];
        const deadLetterUrl = outputs[`${key}DeadLetterQueueUrl`];
        if (!url || !deadLetterUrl) throw new Error(`stack ${stack} has no queue for destination "${id}" (outputs ${key}QueueUrl, ${key}DeadLetterQueueUrl)`);
        return { url, deadLetterUrl };
      },
      tableName: outputs.TableName,
      secret: SecretString ?? '',
      clock: { now: () => new Date() },
      where: `stack ${stack}`,
      close: () => {
        low.destroy();
        sqs.destroy();
      },
    };
  }
  const local = findLocalRuntime(env, dir);
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const slowEmulators = requestHandler(LOCAL_AWS_REQUEST_TIMEOUT_MS);
  const low = new DynamoDBClient({ endpoint: local.dynamodb, region: 'us-east-1', credentials, requestHandler: slowEmulators });
  const sqs = new SQSClient({ endpoint: local.sqs, region: 'us-east-1', credentials, requestHandler: slowEmulators });
  const queueUrl = (name: string) => `${local.sqs}/000000000000/${name}`;
  return {
    db: DynamoDBDocumentClient.from(low, { marshallOptions: { removeUndefinedValues: true } }),
    routingQueue: new SqsJsonQueue(sqs, queueUrl(localQueueName('routing'))),
    sqs,
    queues: Object.fromEntries(
      queueNames.map((name) => [name, { url: queueUrl(localQueueName(name)), deadLetterUrl: queueUrl(localDeadLetterQueueName(name)) }]),
    ) as Connection['queues'],
    destinationQueue: (id) => ({ url: queueUrl(localDestinationQueueName(id, false)), deadLetterUrl: queueUrl(localDestinationQueueName(id, true)) }),
    tableName: env.LEADGATE_TABLE_NAME ?? LOCAL_TABLE_NAME,
    secret: local.secret,
    clock: local.clock,
    where: `local runtime (${local.dynamodb})`,
    close: () => {
      low.destroy();
      sqs.destroy();
    },
  };
}

/** The data folder of the local runtime `npm start` runs from `dir` (default: the current folder). */
const localDataDir = (dir: string | undefined): string => {
  const folder = resolve(dir ?? '.');
  return existsSync(join(folder, DATA_DIR)) ? join(folder, DATA_DIR) : folder;
};

/** The API's and capture's URLs of the local runtime running from `dir`, if one runs there. */
export function localRuntimeUrls(dir: string | undefined): { api: string; capture: string } | undefined {
  const found = readRuntimeState(localDataDir(dir));
  if (found.status !== 'running') return undefined;
  // A state file written before capture had a URL of its own names the API alone.
  return { api: found.state.urls.api, capture: found.state.urls.capture ?? found.state.urls.api };
}

/**
 * The local runtime to work on: the one whose endpoints the environment names
 * (LEADGATE_DYNAMODB_ENDPOINT, LEADGATE_SQS_ENDPOINT, LEADGATE_HMAC_SECRET: tests and scripts), else
 * the one `npm start` runs from the data folder (`.leadgate/` here, or --dir), found through the
 * state file it keeps there: its ports, whatever they are, and its clock. Never a guess: with
 * nothing running it says so rather than trying a default port another runtime may hold.
 */
function findLocalRuntime(env: NodeJS.ProcessEnv, dir: string | undefined): { dynamodb: string; sqs: string; secret: string; clock: Clock } {
  if (env.LEADGATE_DYNAMODB_ENDPOINT) {
    const secret = env[SECRET_VARIABLES.hmac.value];
    if (!secret || !env.LEADGATE_SQS_ENDPOINT) throw new Error('with LEADGATE_DYNAMODB_ENDPOINT, also set LEADGATE_SQS_ENDPOINT and the HMAC secret');
    return { dynamodb: env.LEADGATE_DYNAMODB_ENDPOINT, sqs: env.LEADGATE_SQS_ENDPOINT, secret, clock: runtimeClock };
  }
  const dataDir = localDataDir(dir);
  const found = readRuntimeState(dataDir);
  if (found.status === 'not_running') {
    throw new Error(
      `Leadgate is not running here (no ${found.file}). Start it with \`npm start\` in the project folder, pass --dir to that folder, or --stack NAME for a deployed stack.`,
    );
  }
  if (found.status === 'stale') {
    throw new Error(`the local runtime that wrote ${found.file} (pid ${found.pid}) is no longer running: start it again with \`npm start\`.`);
  }
  const { urls, clockOffsetMs } = found.state;
  return {
    dynamodb: urls.dynamodb,
    sqs: urls.sqs,
    secret: readFileSync(join(dataDir, 'hmac-secret'), 'utf8').trim(),
    // The runtime's clock, moved as far as /_local/clock/advance moved it.
    clock: { now: () => new Date(Date.now() + clockOffsetMs) },
  };
}
