import * as z from 'zod/mini';
import type { QueueName, TopicName } from '../../infra/topology';

/**
 * The environment a function runs with. Every variable a binding sets is named here and nowhere
 * else: infra/topology.ts derives each function's environment from its bindings with these names
 * (`functionEnvironment`), the stack and the local runtime set exactly that, and a function reads
 * it through `functionEnv()` once per container. A function asking for a variable its bindings do
 * not set fails at start, in Lambda and in the local runtime alike.
 */
export const VARIABLES = {
  tableName: 'TABLE_NAME',
  publicApiUrl: 'PUBLIC_API_URL',
  /** Capture's function URL (the API's URL when it has none), for pages whose script posts there. */
  publicCaptureUrl: 'PUBLIC_CAPTURE_URL',
  /** SES configuration set that publishes bounces and complaints; set for functions that send email. */
  sesConfigurationSet: 'SES_CONFIGURATION_SET',
  /** Powertools' logger and metrics read it: one service name per function. */
  serviceName: 'POWERTOOLS_SERVICE_NAME',
  /** Each destination's queue, dead-letter queue and secret (the deliver function), as JSON (DestinationsVariable). */
  destinations: 'DESTINATIONS',
  /** Shrinks destination retry delays (local runtime only, for simulated outages); 1 when unset. */
  retryScale: 'LEADGATE_RETRY_SCALE',
  /** Shrinks the destinations' 24-hour retry window (local runtime only); the retry scale when unset. */
  retryWindowScale: 'LEADGATE_RETRY_WINDOW_SCALE',
  /** How long a destination call may take, in ms (local runtime only, for soaks); 10 s when unset. */
  destinationTimeoutMs: 'LEADGATE_DESTINATION_TIMEOUT_MS',
  /** How long an AWS request may go unanswered, in ms (local runtime only: its emulators are slower than AWS); 5 s when unset. */
  awsRequestTimeoutMs: 'LEADGATE_AWS_REQUEST_TIMEOUT_MS',
  /** `examples`: mail domains from the local resolver double instead of DNS (local runtime only). */
  mailDomains: 'LEADGATE_MAIL_DOMAINS',
  /**
   * Set for queue consumers, which handle a batch's records in parallel: their report-counter
   * increments go out together when the batch ends, or after this many ms; a function serving one
   * request at a time would gather nothing by waiting, so it writes at once (0 when unset).
   */
  counterWindowMs: 'LEADGATE_COUNTER_WINDOW_MS',
  /** Set by the AWS Parameters and Secrets Lambda Extension's layer (the stack attaches it); 2773 when unset. */
  secretsExtensionPort: 'PARAMETERS_SECRETS_EXTENSION_HTTP_PORT',
} as const;

/** Each secret is its Secrets Manager ARN when deployed and its value locally. */
export const SECRET_VARIABLES = {
  /** The HMAC key for email hashes, tokens and claims. */
  hmac: { arn: 'HMAC_SECRET_ARN', value: 'LEADGATE_HMAC_SECRET' },
  /** Cloudflare Turnstile's secret key (only with Turnstile enabled). */
  turnstile: { arn: 'TURNSTILE_SECRET_ARN', value: 'TURNSTILE_SECRET' },
} as const;
export type SecretName = keyof typeof SECRET_VARIABLES;
export type SecretSource = { value: string } | { arn: string };

/** Environment variable carrying a queue's URL, e.g. ROUTING_QUEUE_URL. */
export const queueUrlVariable = (queue: QueueName): string => `${queue.toUpperCase()}_QUEUE_URL`;

/** Environment variable carrying a topic's ARN, e.g. EVENTS_TOPIC_ARN. */
export const topicArnVariable = (topic: TopicName): string => `${topic.toUpperCase()}_TOPIC_ARN`;

/** Where one destination's deliveries come from and fail to, and its secret. */
export interface DestinationBinding {
  /** The queue's name: the last part of its ARN, which each of its records carries. */
  queueName: string;
  queueUrl: string;
  deadLetterUrl: string;
  secret: SecretSource;
}

/**
 * What the DESTINATIONS variable holds. Lambda allows a function 4 KB of variables in all, so each
 * destination takes only its queues' names and its secret; every queue URL is the account's queue
 * URL base (`https://sqs.<region>.<domain>/<account>/`, or the local endpoint's) followed by the
 * name. The stack checks at synth that the deliver function's variables fit (environment-size.ts).
 */
export interface DestinationsVariable {
  queueUrlBase: string;
  destinations: Record<string, { queue: string; deadLetterQueue: string; secret: SecretSource }>;
}

/**
 * Made when read (once, by the deliver function's init), not at import: every function imports
 * this module, and building schemas is a noticeable part of a cold start.
 */
const destinationsVariable = () =>
  z.object({
    queueUrlBase: z.url().check(z.endsWith('/')),
    destinations: z.record(
      z.string(),
      z.object({
        queue: z.string().check(z.minLength(1)),
        deadLetterQueue: z.string().check(z.minLength(1)),
        secret: z.union([z.object({ value: z.string() }), z.object({ arn: z.string() })]),
      }),
    ),
  });

export interface FunctionEnv {
  tableName(): string;
  queueUrl(queue: QueueName): string;
  topicArn(topic: TopicName): string;
  destinations(): Record<string, DestinationBinding>;
  publicApiUrl(): string;
  publicCaptureUrl(): string;
  sesConfigurationSet(): string;
  secret(name: SecretName): SecretSource;
  mailDomains: 'examples' | undefined;
  retryScale: number;
  retryWindowScale: number;
  destinationTimeoutMs: number | undefined;
  awsRequestTimeoutMs: number | undefined;
  counterWindowMs: number;
  /** Where deployed functions read their secrets (shared/adapters/secrets.ts). */
  secretsExtension: { port: number; sessionToken: string | undefined };
}

const url = z.url();
const hmacSecret = z.string().check(z.minLength(32));

export class FunctionEnvError extends Error {
  override name = 'FunctionEnvError';
}

/** Reads and checks the environment; each accessor throws FunctionEnvError when its binding is missing. */
export function functionEnv(env: NodeJS.ProcessEnv = process.env): FunctionEnv {
  const read = (name: string, binding: string): string => {
    const value = env[name];
    if (!value) throw new FunctionEnvError(`Invalid function environment: ${name} is not set; the function needs the ${binding} binding in infra/topology.ts`);
    return value;
  };
  const readUrl = (name: string, binding: string): string => {
    const value = read(name, binding);
    if (!url.safeParse(value).success) throw new FunctionEnvError(`Invalid function environment: ${name} is not a URL`);
    return value;
  };
  const mailDomains = env[VARIABLES.mailDomains];
  if (mailDomains !== undefined && mailDomains !== 'examples') {
    throw new FunctionEnvError(`Invalid function environment: ${VARIABLES.mailDomains} may only be "examples"`);
  }
  return {
    tableName: () => read(VARIABLES.tableName, 'table'),
    queueUrl: (queue) => read(queueUrlVariable(queue), `sendsTo: ['${queue}']`),
    topicArn: (topic) => read(topicArnVariable(topic), `publishesTo: ['${topic}']`),
    destinations() {
      const parsed = destinationsVariable().safeParse(JSON.parse(read(VARIABLES.destinations, 'destinations')));
      if (!parsed.success) {
        throw new FunctionEnvError(`Invalid function environment: ${VARIABLES.destinations} is not a queue URL base and a map of destination bindings`);
      }
      const { queueUrlBase, destinations } = parsed.data;
      return Object.fromEntries(
        Object.entries(destinations).map(([id, { queue, deadLetterQueue, secret }]) => [
          id,
          { queueName: queue, queueUrl: queueUrlBase + queue, deadLetterUrl: queueUrlBase + deadLetterQueue, secret },
        ]),
      );
    },
    publicApiUrl: () => readUrl(VARIABLES.publicApiUrl, 'public API URL'),
    publicCaptureUrl: () => readUrl(VARIABLES.publicCaptureUrl, 'postsToCapture'),
    sesConfigurationSet: () => read(VARIABLES.sesConfigurationSet, 'sendsEmail'),
    secret(name) {
      const { arn, value } = SECRET_VARIABLES[name];
      if (env[value]) {
        if (name === 'hmac' && !hmacSecret.safeParse(env[value]).success) {
          throw new FunctionEnvError(`Invalid function environment: ${value} must be at least 32 characters`);
        }
        return { value: env[value] };
      }
      return { arn: read(arn, `secrets: ['${name}']`) };
    },
    mailDomains,
    retryScale: Number(env[VARIABLES.retryScale] ?? '1') || 1,
    retryWindowScale: Number(env[VARIABLES.retryWindowScale] ?? env[VARIABLES.retryScale] ?? '1') || 1,
    destinationTimeoutMs: Number(env[VARIABLES.destinationTimeoutMs]) || undefined,
    awsRequestTimeoutMs: Number(env[VARIABLES.awsRequestTimeoutMs]) || undefined,
    counterWindowMs: Number(env[VARIABLES.counterWindowMs]) || 0,
    secretsExtension: { port: Number(env[VARIABLES.secretsExtensionPort]) || 2773, sessionToken: env.AWS_SESSION_TOKEN },
  };
}
