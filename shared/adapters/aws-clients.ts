import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { functionEnv } from '../config/function-env';
import { type ClientPlugin, clientPlugins } from './client-plugins';

export { useClientPlugin } from './client-plugins';

/**
 * Clients are created once per container. Endpoints come from the SDK's standard variables
 * (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SQS, ...), which is how the
 * local runtime and the tests point the same code at the emulators.
 */
/**
 * The connection timer starts while a request still waits for a free socket in the client's pool
 * (50 by default). A Lambda container serves one invocation at a time and needs a few sockets;
 * the local runtime serves many at once through one module, and with 50 sockets a burst of 200
 * captures waited past the timeout and answered 503. A pool sized for that burst changes nothing
 * on Lambda and lets the local runtime behave like many containers.
 */
const POOL = { maxSockets: 512 };
/** How long an AWS request may go unanswered before the SDK gives up on it and tries it again. */
export const AWS_REQUEST_TIMEOUT_MS = 5_000;

/**
 * Every AWS client's timeouts and pool: a request never waits on a silent endpoint for ever (the
 * CLI's clients too). Without `throwOnRequestTimeout` the SDK's HTTP handler (4.x) only logs a
 * warning when `requestTimeout` passes and goes on waiting, so a request to an endpoint that
 * accepted the connection and went silent would hold a capture until its function timed out.
 */
export const requestHandler = (requestTimeout: number = AWS_REQUEST_TIMEOUT_MS) => ({
  connectionTimeout: 2_000,
  requestTimeout,
  throwOnRequestTimeout: true,
  httpAgent: POOL,
  httpsAgent: POOL,
});

/**
 * A function's clients: the timeout is the function environment's where the local runtime sets one
 * (LEADGATE_AWS_REQUEST_TIMEOUT_MS: its emulators answer a burst far slower than AWS, and a request
 * given up on still runs there, so retrying it only adds load), else AWS_REQUEST_TIMEOUT_MS. Read once.
 */
let functionHandler: ReturnType<typeof requestHandler> | undefined;
const functionRequestHandler = () => (functionHandler ??= requestHandler(functionEnv().awsRequestTimeoutMs));

function withPlugins<C extends { middlewareStack: { use(plugin: ClientPlugin): void } }>(client: C): C {
  for (const plugin of clientPlugins()) client.middlewareStack.use(plugin);
  return client;
}

export function createDocumentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(withPlugins(new DynamoDBClient({ requestHandler: functionRequestHandler() })), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

export function createSqsClient(): SQSClient {
  return withPlugins(new SQSClient({ requestHandler: functionRequestHandler() }));
}

export function createSesClient(): SESv2Client {
  return withPlugins(new SESv2Client({ requestHandler: functionRequestHandler() }));
}

export function createSnsClient(): SNSClient {
  return withPlugins(new SNSClient({ requestHandler: functionRequestHandler() }));
}
