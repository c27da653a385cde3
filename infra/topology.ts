import { TABLE_SCHEMA } from '../shared/adapters/table-keys';
import { CAPTURE_TIMEOUT_SECONDS } from '../shared/domain/capture/capture';
import {
  type DestinationsVariable,
  queueUrlVariable,
  topicArnVariable,
  SECRET_VARIABLES,
  VARIABLES,
  type SecretName,
  type SecretSource,
} from '../shared/config/function-env';

/**
 * The one description of Leadgate's wiring, as plain data. infra/stack.ts builds AWS resources
 * from it and infra/local/ builds the local runtime from it, so the two cannot drift: every
 * binding of a function (table access, queues, secrets, email) is declared here once, and
 * `functionEnvironment` derives the variables both set from it. No aws-cdk-lib import here.
 */

export type QueueName = 'routing' | 'email' | 'mailEvents';
export type TopicName = 'events';
export type FunctionName =
  | 'capture'
  | 'route'
  | 'slaSweep'
  | 'accept'
  | 'nurtureTick'
  | 'sendEmail'
  | 'unsubscribe'
  | 'confirm'
  | 'sesEvents'
  | 'privacy'
  | 'forms'
  | 'routingSweep'
  | 'review'
  | 'reviewDigest'
  | 'deliver'
  | 'eventsSweep';
export type ScheduleName = 'slaSweep' | 'nurtureTick' | 'routingSweep' | 'reviewDigest' | 'eventsSweep';

export interface FunctionSpec {
  /** Handler module, relative to the repository root; it exports `handler`. */
  entry: string;
  description: string;
  memoryMb: number;
  timeoutSeconds: number;
  access: {
    /** readWriteDelete is for erasure only: no other function may delete lead data. */
    table: 'none' | 'read' | 'readWrite' | 'readWriteDelete';
    /** Queues the function sends to; each becomes a queue URL variable in its environment (queueUrlVariable). */
    sendsTo: readonly QueueName[];
    /** Topics the function publishes to; each becomes a topic ARN variable (topicArnVariable). */
    publishesTo: readonly TopicName[];
    /** Delivers to the configured destinations: their queues, dead-letter queues and secrets. */
    destinations?: true;
    /** Secrets it reads (Secrets Manager deployed, a variable locally); turnstile exists only with Turnstile enabled. */
    secrets: readonly SecretName[];
    /** May send email as the configured SES identity, through the configuration set. */
    sendsEmail: boolean;
    /** Serves pages whose script posts to capture's URL (PUBLIC_CAPTURE_URL). */
    postsToCapture?: true;
  };
  /** Data files copied next to the bundle (too big to bundle; read on first use). */
  files?: readonly { from: string; to: string }[];
}

export interface RouteSpec {
  method: 'GET' | 'POST' | 'OPTIONS';
  path: string;
  function: FunctionName;
}

export interface QueueSpec {
  consumer: FunctionName;
  batchSize: number;
  maxBatchingWindowSeconds: number;
  visibilityTimeoutSeconds: number;
  /** Deliveries before a message moves to the queue's dead-letter queue. */
  maxReceiveCount: number;
  /** Concurrent batches the event source mapping may run (AWS minimum 2). */
  maxConcurrency: number;
}

/** An SNS FIFO topic: ordered per message group (a lead), de-duplicated by message id. */
export interface TopicSpec {
  description: string;
}

/**
 * One SQS FIFO queue (and dead-letter queue) per configured destination, subscribed to the events
 * topic with a filter on the destination's id, consumed by one function: per-lead order, a
 * retry schedule of its own, a dead-letter queue and a concurrency cap per destination.
 */
export interface DestinationQueueSpec {
  topic: TopicName;
  consumer: FunctionName;
  batchSize: number;
  visibilityTimeoutSeconds: number;
  /** A backstop for a consumer that keeps crashing; retries are scheduled by the consumer, up to 24 hours. */
  maxReceiveCount: number;
}

export interface ScheduleSpec {
  function: FunctionName;
  everyMinutes: number;
  /** How often the local runtime runs it; it also runs on every local clock advance. */
  localEverySeconds: number;
}

export interface IndexSpec {
  name: string;
  partitionKey: string;
  sortKey: string;
  sortKeyType: 'S' | 'N';
}

export interface TableSpec {
  partitionKey: string;
  sortKey: string;
  ttlAttribute: string;
  /** Sparse global secondary indexes (keys only). */
  indexes: readonly IndexSpec[];
}

export interface MailSpec {
  /**
   * The queue that receives the SES configuration set's bounce and complaint events (SNS, raw
   * delivery): its consumer retries and dead-letters them like any other, so none is dropped.
   */
  eventsQueue: QueueName;
}

export interface Topology {
  table: TableSpec;
  functions: Record<FunctionName, FunctionSpec>;
  routes: readonly RouteSpec[];
  queues: Record<QueueName, QueueSpec>;
  topics: Record<TopicName, TopicSpec>;
  destinationQueues: DestinationQueueSpec;
  schedules: Record<ScheduleName, ScheduleSpec>;
  mail: MailSpec;
}

export const topology = {
  table: TABLE_SCHEMA,
  functions: {
    capture: {
      entry: 'functions/capture.ts',
      description: 'Gives an embedded form its render token; validates a submission, stores it with its consent and retention, promises its routing',
      memoryMb: 1024,
      // A retry after this long knows the request it repeats has ended (shared/domain/capture/capture.ts).
      timeoutSeconds: CAPTURE_TIMEOUT_SECONDS,
      access: { table: 'readWrite', sendsTo: ['routing'], publishesTo: [], secrets: ['hmac', 'turnstile'], sendsEmail: false },
    },
    route: {
      entry: 'functions/route.ts',
      description: 'Scores each captured lead and assigns it to a sales rep by email',
      memoryMb: 512,
      timeoutSeconds: 30,
      access: { table: 'readWrite', sendsTo: [], publishesTo: ['events'], secrets: ['hmac'], sendsEmail: true },
      files: [{ from: 'node_modules/disposable-email-domains/index.json', to: 'disposable-domains.json' }],
    },
    slaSweep: {
      entry: 'functions/sla-sweep.ts',
      description: 'Reassigns leads not accepted within their team SLA',
      memoryMb: 512,
      timeoutSeconds: 60,
      access: { table: 'readWrite', sendsTo: [], publishesTo: ['events'], secrets: ['hmac'], sendsEmail: true },
    },
    accept: {
      entry: 'functions/accept.ts',
      description: 'Accept links in assignment emails',
      memoryMb: 512,
      timeoutSeconds: 10,
      access: { table: 'readWrite', sendsTo: [], publishesTo: ['events'], secrets: ['hmac'], sendsEmail: false },
    },
    nurtureTick: {
      entry: 'functions/nurture-tick.ts',
      description: 'Queues the nurture steps that are due',
      memoryMb: 512,
      timeoutSeconds: 60,
      access: { table: 'readWrite', sendsTo: ['email'], publishesTo: ['events'], secrets: [], sendsEmail: false },
    },
    sendEmail: {
      entry: 'functions/send-email.ts',
      description: 'Sends nurture emails, re-checking consent and suppression at send time',
      memoryMb: 512,
      timeoutSeconds: 30,
      access: { table: 'readWrite', sendsTo: [], publishesTo: ['events'], secrets: ['hmac'], sendsEmail: true },
    },
    unsubscribe: {
      entry: 'functions/unsubscribe.ts',
      description: 'Unsubscribe page and RFC 8058 one-click unsubscribe',
      memoryMb: 512,
      timeoutSeconds: 10,
      access: { table: 'readWrite', sendsTo: [], publishesTo: ['events'], secrets: ['hmac'], sendsEmail: false },
    },
    confirm: {
      entry: 'functions/confirm.ts',
      description: 'Double opt-in confirmation links',
      memoryMb: 512,
      timeoutSeconds: 10,
      access: { table: 'readWrite', sendsTo: ['email'], publishesTo: ['events'], secrets: ['hmac'], sendsEmail: false },
    },
    sesEvents: {
      entry: 'functions/ses-events.ts',
      description: 'Suppresses addresses that hard-bounce or complain',
      memoryMb: 512,
      timeoutSeconds: 30,
      access: { table: 'readWrite', sendsTo: [], publishesTo: ['events'], secrets: ['hmac'], sendsEmail: false },
    },
    privacy: {
      entry: 'functions/privacy.ts',
      description: 'Self-service privacy requests: access, erasure, rectification',
      memoryMb: 512,
      timeoutSeconds: 30,
      access: { table: 'readWriteDelete', sendsTo: [], publishesTo: ['events'], secrets: ['hmac', 'turnstile'], sendsEmail: true },
    },
    routingSweep: {
      entry: 'functions/routing-sweep.ts',
      description: 'Re-sends routing for submissions whose message never completed',
      memoryMb: 512,
      timeoutSeconds: 60,
      access: { table: 'readWrite', sendsTo: ['routing'], publishesTo: [], secrets: [], sendsEmail: false },
    },
    review: {
      entry: 'functions/review.ts',
      description: "Reviewers' links to release or discard a held submission",
      memoryMb: 512,
      timeoutSeconds: 10,
      access: { table: 'readWrite', sendsTo: ['routing'], publishesTo: [], secrets: ['hmac'], sendsEmail: false },
    },
    reviewDigest: {
      entry: 'functions/review-digest.ts',
      description: 'Mails reviewers a digest of newly held submissions',
      memoryMb: 512,
      timeoutSeconds: 60,
      access: { table: 'readWrite', sendsTo: [], publishesTo: [], secrets: ['hmac'], sendsEmail: true },
    },
    deliver: {
      entry: 'functions/deliver.ts',
      description: 'Delivers lead events to one destination each: signed webhooks, HubSpot, Slack',
      memoryMb: 512,
      timeoutSeconds: 30,
      access: { table: 'readWrite', sendsTo: [], publishesTo: [], destinations: true, secrets: ['hmac'], sendsEmail: false },
    },
    eventsSweep: {
      entry: 'functions/events-sweep.ts',
      description: 'Publishes destination events whose publication failed after their change was saved',
      memoryMb: 512,
      timeoutSeconds: 60,
      access: { table: 'readWrite', sendsTo: [], publishesTo: ['events'], secrets: [], sendsEmail: false },
    },
    forms: {
      entry: 'functions/forms.ts',
      description: 'Hosted form pages (each with its render token) and the embed script',
      memoryMb: 512,
      timeoutSeconds: 10,
      access: { table: 'none', sendsTo: [], publishesTo: [], secrets: ['hmac'], sendsEmail: false, postsToCapture: true },
    },
  },
  routes: [
    { method: 'POST', path: '/forms/{formId}/submissions', function: 'capture' },
    { method: 'OPTIONS', path: '/forms/{formId}/submissions', function: 'capture' },
    { method: 'GET', path: '/forms/{formId}', function: 'forms' },
    { method: 'GET', path: '/forms/{formId}/render-token', function: 'capture' },
    { method: 'GET', path: '/embed.js', function: 'forms' },
    { method: 'GET', path: '/assignments/accept', function: 'accept' },
    { method: 'POST', path: '/assignments/accept', function: 'accept' },
    { method: 'GET', path: '/unsubscribe', function: 'unsubscribe' },
    { method: 'POST', path: '/unsubscribe', function: 'unsubscribe' },
    { method: 'GET', path: '/confirm', function: 'confirm' },
    { method: 'POST', path: '/confirm', function: 'confirm' },
    { method: 'GET', path: '/privacy', function: 'privacy' },
    { method: 'POST', path: '/privacy/requests', function: 'privacy' },
    { method: 'GET', path: '/privacy/requests/confirm', function: 'privacy' },
    { method: 'POST', path: '/privacy/requests/confirm', function: 'privacy' },
    { method: 'GET', path: '/quarantine/review', function: 'review' },
    { method: 'POST', path: '/quarantine/review', function: 'review' },
  ],
  queues: {
    routing: {
      consumer: 'route',
      batchSize: 10,
      maxBatchingWindowSeconds: 1,
      // AWS advises at least six times the consumer's timeout.
      visibilityTimeoutSeconds: 180,
      maxReceiveCount: 5,
      maxConcurrency: 5,
    },
    email: {
      consumer: 'sendEmail',
      batchSize: 10,
      maxBatchingWindowSeconds: 1,
      visibilityTimeoutSeconds: 180,
      maxReceiveCount: 5,
      maxConcurrency: 2,
    },
    mailEvents: {
      consumer: 'sesEvents',
      batchSize: 10,
      maxBatchingWindowSeconds: 1,
      visibilityTimeoutSeconds: 180,
      maxReceiveCount: 3,
      maxConcurrency: 2,
    },
  },
  topics: {
    events: { description: 'Lead events for the destinations (FIFO: in order per lead)' },
  },
  destinationQueues: {
    topic: 'events',
    consumer: 'deliver',
    batchSize: 10,
    // Six times the consumer's timeout; a failed delivery sets its own, shorter or longer, retry delay.
    visibilityTimeoutSeconds: 180,
    maxReceiveCount: 100,
  },
  schedules: {
    eventsSweep: { function: 'eventsSweep', everyMinutes: 1, localEverySeconds: 5 },
    slaSweep: { function: 'slaSweep', everyMinutes: 5, localEverySeconds: 5 },
    nurtureTick: { function: 'nurtureTick', everyMinutes: 5, localEverySeconds: 2 },
    routingSweep: { function: 'routingSweep', everyMinutes: 5, localEverySeconds: 10 },
    reviewDigest: { function: 'reviewDigest', everyMinutes: 30, localEverySeconds: 10 },
  },
  mail: { eventsQueue: 'mailEvents' },
} as const satisfies Topology;

/** The resources a function's bindings point at: deployed, CloudFormation references; locally, the emulators'. */
export interface BoundResources {
  tableName: string;
  publicApiUrl: string;
  /** Capture's function URL, or the API's URL with edge.captureFunctionUrl off. */
  captureUrl: string;
  queueUrl(queue: QueueName): string;
  topicArn(topic: TopicName): string;
  /** Each configured destination's queue, dead-letter queue and secret. */
  destinations(): DestinationsVariable;
  sesConfigurationSet: string;
  /** Where a secret comes from, or undefined when the deployment has none (Turnstile off). */
  secret(name: SecretName): SecretSource | undefined;
}

/** The service name a function logs and emits metrics as: leadgate-<entry file>, e.g. leadgate-sla-sweep. */
/** A function with a secret to read (its own, or its destinations'): deployed, it reads them through the Parameters and Secrets extension. */
export const readsSecrets = (spec: FunctionSpec): boolean => spec.access.secrets.length > 0 || spec.access.destinations === true;

export const serviceName = (spec: FunctionSpec): string => `leadgate-${spec.entry.replace(/^.*\//, '').replace(/\.ts$/, '')}`;

/**
 * A queue consumer's report-counter increments wait for the end of their batch to go out together,
 * one write per counter the batch moved (sqsBatchHandler's afterBatch); this long at most, should
 * a batch run longer. Setting it marks the function as a batch consumer (shared/adapters/components.ts).
 */
export const CONSUMER_COUNTER_WINDOW_MS = 1000;

/** Lambda refuses a function whose variables take more than this, measured as the JSON of the whole map. */
export const LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4096;

/** Every variable a function's bindings set, and nothing else. */
export function functionEnvironment(spec: FunctionSpec, resources: BoundResources): Record<string, string> {
  const env: Record<string, string> = {
    [VARIABLES.serviceName]: serviceName(spec),
    [VARIABLES.publicApiUrl]: resources.publicApiUrl,
  };
  if (spec.access.postsToCapture) env[VARIABLES.publicCaptureUrl] = resources.captureUrl;
  if (spec.access.table !== 'none') env[VARIABLES.tableName] = resources.tableName;
  if (spec.access.sendsEmail) env[VARIABLES.sesConfigurationSet] = resources.sesConfigurationSet;
  for (const queue of spec.access.sendsTo) env[queueUrlVariable(queue)] = resources.queueUrl(queue);
  for (const topic of spec.access.publishesTo) env[topicArnVariable(topic)] = resources.topicArn(topic);
  if (spec.access.destinations) env[VARIABLES.destinations] = JSON.stringify(resources.destinations());
  if (Object.values(topology.queues).some((queue) => topology.functions[queue.consumer] === spec))
    env[VARIABLES.counterWindowMs] = String(CONSUMER_COUNTER_WINDOW_MS);
  for (const name of spec.access.secrets) {
    const source = resources.secret(name);
    if (source && 'arn' in source) env[SECRET_VARIABLES[name].arn] = source.arn;
    else if (source) env[SECRET_VARIABLES[name].value] = source.value;
  }
  return env;
}

export const functionNames = Object.keys(topology.functions) as FunctionName[];
export const queueNames = Object.keys(topology.queues) as QueueName[];
export const scheduleNames = Object.keys(topology.schedules) as ScheduleName[];
