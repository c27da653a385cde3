/**
 * The one description of Leadgate's wiring, as plain data. infra/stack.ts builds AWS resources
 * from it and infra/local/ builds the local runtime from it, so the two cannot drift.
 * No aws-cdk-lib import here.
 */

export type QueueName = 'routing' | 'email' | 'mailEvents';
export type FunctionName = 'capture' | 'route' | 'slaSweep' | 'accept' | 'nurtureTick' | 'sendEmail' | 'unsubscribe' | 'confirm' | 'sesEvents' | 'privacy' | 'forms' | 'routingSweep';
export type ScheduleName = 'slaSweep' | 'nurtureTick' | 'routingSweep';

export interface FunctionSpec {
  /** Handler module, relative to the repository root; it exports `handler`. */
  entry: string;
  description: string;
  memoryMb: number;
  timeoutSeconds: number;
  access: {
    /** readWriteDelete is for erasure only: no other function may delete lead data. */
    table: 'none' | 'read' | 'readWrite' | 'readWriteDelete';
    /** Queues the function sends to; each becomes <NAME>_QUEUE_URL in its environment. */
    sendsTo: readonly QueueName[];
    hmacSecret: boolean;
    /** May send email as the configured SES identity. */
    sendsEmail: boolean;
    /** Reads the Turnstile secret (when Turnstile is enabled). */
    turnstileSecret?: boolean;
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
  partitionKey: 'pk';
  sortKey: 'sk';
  ttlAttribute: 'expiresAt';
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
  schedules: Record<ScheduleName, ScheduleSpec>;
  mail: MailSpec;
}

export const topology = {
  table: {
    partitionKey: 'pk',
    sortKey: 'sk',
    ttlAttribute: 'expiresAt',
    indexes: [
      { name: 'bySlaDue', partitionKey: 'slaPartition', sortKey: 'slaDue', sortKeyType: 'N' },
      { name: 'byNurtureDue', partitionKey: 'nurturePartition', sortKey: 'nurtureDue', sortKeyType: 'N' },
      { name: 'byRoutingDue', partitionKey: 'routingPartition', sortKey: 'routingDue', sortKeyType: 'N' },
    ],
  },
  functions: {
    capture: {
      entry: 'functions/capture.ts',
      description: 'Validates a form submission, stores the lead with consent and retention, enqueues routing',
      memoryMb: 1024,
      timeoutSeconds: 10,
      access: { table: 'readWrite', sendsTo: ['routing'], hmacSecret: true, sendsEmail: false, turnstileSecret: true },
    },
    route: {
      entry: 'functions/route.ts',
      description: 'Scores each captured lead and assigns it to a sales rep by email',
      memoryMb: 512,
      timeoutSeconds: 30,
      access: { table: 'readWrite', sendsTo: [], hmacSecret: true, sendsEmail: true },
      files: [{ from: 'node_modules/disposable-email-domains/index.json', to: 'disposable-domains.json' }],
    },
    slaSweep: {
      entry: 'functions/sla-sweep.ts',
      description: 'Reassigns leads not accepted within their team SLA',
      memoryMb: 512,
      timeoutSeconds: 60,
      access: { table: 'readWrite', sendsTo: [], hmacSecret: true, sendsEmail: true },
    },
    accept: {
      entry: 'functions/accept.ts',
      description: 'Accept links in assignment emails',
      memoryMb: 512,
      timeoutSeconds: 10,
      access: { table: 'readWrite', sendsTo: [], hmacSecret: true, sendsEmail: false },
    },
    nurtureTick: {
      entry: 'functions/nurture-tick.ts',
      description: 'Queues the nurture steps that are due',
      memoryMb: 512,
      timeoutSeconds: 60,
      access: { table: 'readWrite', sendsTo: ['email'], hmacSecret: false, sendsEmail: false },
    },
    sendEmail: {
      entry: 'functions/send-email.ts',
      description: 'Sends nurture emails, re-checking consent and suppression at send time',
      memoryMb: 512,
      timeoutSeconds: 30,
      access: { table: 'readWrite', sendsTo: [], hmacSecret: true, sendsEmail: true },
    },
    unsubscribe: {
      entry: 'functions/unsubscribe.ts',
      description: 'Unsubscribe page and RFC 8058 one-click unsubscribe',
      memoryMb: 512,
      timeoutSeconds: 10,
      access: { table: 'readWrite', sendsTo: [], hmacSecret: true, sendsEmail: false },
    },
    confirm: {
      entry: 'functions/confirm.ts',
      description: 'Double opt-in confirmation links',
      memoryMb: 512,
      timeoutSeconds: 10,
      access: { table: 'readWrite', sendsTo: [], hmacSecret: true, sendsEmail: false },
    },
    sesEvents: {
      entry: 'functions/ses-events.ts',
      description: 'Suppresses addresses that hard-bounce or complain',
      memoryMb: 512,
      timeoutSeconds: 30,
      access: { table: 'readWrite', sendsTo: [], hmacSecret: true, sendsEmail: false },
    },
    privacy: {
      entry: 'functions/privacy.ts',
      description: 'Self-service privacy requests: access, erasure, rectification',
      memoryMb: 512,
      timeoutSeconds: 30,
      access: { table: 'readWriteDelete', sendsTo: [], hmacSecret: true, sendsEmail: true, turnstileSecret: true },
    },
    routingSweep: {
      entry: 'functions/routing-sweep.ts',
      description: 'Re-sends routing for submissions whose message never completed',
      memoryMb: 512,
      timeoutSeconds: 60,
      access: { table: 'readWrite', sendsTo: ['routing'], hmacSecret: false, sendsEmail: false },
    },
    forms: {
      entry: 'functions/forms.ts',
      description: 'Hosted form pages, render tokens and the embed script',
      memoryMb: 512,
      timeoutSeconds: 10,
      access: { table: 'none', sendsTo: [], hmacSecret: true, sendsEmail: false },
    },
  },
  routes: [
    { method: 'POST', path: '/forms/{formId}/submissions', function: 'capture' },
    { method: 'OPTIONS', path: '/forms/{formId}/submissions', function: 'capture' },
    { method: 'GET', path: '/forms/{formId}', function: 'forms' },
    { method: 'GET', path: '/forms/{formId}/render-token', function: 'forms' },
    { method: 'GET', path: '/embed.js', function: 'forms' },
    { method: 'GET', path: '/assignments/accept', function: 'accept' },
    { method: 'POST', path: '/assignments/accept', function: 'accept' },
    { method: 'GET', path: '/unsubscribe', function: 'unsubscribe' },
    { method: 'POST', path: '/unsubscribe', function: 'unsubscribe' },
    { method: 'GET', path: '/confirm', function: 'confirm' },
    { method: 'POST', path: '/confirm', function: 'confirm' },
    { method: 'POST', path: '/privacy/requests', function: 'privacy' },
    { method: 'GET', path: '/privacy/requests/confirm', function: 'privacy' },
    { method: 'POST', path: '/privacy/requests/confirm', function: 'privacy' },
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
  schedules: {
    slaSweep: { function: 'slaSweep', everyMinutes: 5, localEverySeconds: 5 },
    nurtureTick: { function: 'nurtureTick', everyMinutes: 5, localEverySeconds: 2 },
    routingSweep: { function: 'routingSweep', everyMinutes: 5, localEverySeconds: 10 },
  },
  mail: { eventsQueue: 'mailEvents' },
} as const satisfies Topology;

/** Environment variable carrying a queue's URL, e.g. ROUTING_QUEUE_URL. */
export const queueUrlVariable = (queue: QueueName): string => `${queue.toUpperCase()}_QUEUE_URL`;

export const functionNames = Object.keys(topology.functions) as FunctionName[];
export const queueNames = Object.keys(topology.queues) as QueueName[];
export const scheduleNames = Object.keys(topology.schedules) as ScheduleName[];
