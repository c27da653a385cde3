/**
 * The one description of Leadgate's wiring, as plain data. infra/stack.ts builds AWS resources
 * from it and infra/local/ builds the local runtime from it, so the two cannot drift.
 * No aws-cdk-lib import here.
 */

export type QueueName = 'routing';
export type FunctionName = 'capture' | 'route';

export interface FunctionSpec {
  /** Handler module, relative to the repository root; it exports `handler`. */
  entry: string;
  description: string;
  memoryMb: number;
  timeoutSeconds: number;
  access: {
    table: 'none' | 'read' | 'readWrite';
    /** Queues the function sends to; each becomes <NAME>_QUEUE_URL in its environment. */
    sendsTo: readonly QueueName[];
    hmacSecret: boolean;
  };
}

export interface RouteSpec {
  method: 'GET' | 'POST';
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
}

export interface TableSpec {
  partitionKey: 'pk';
  sortKey: 'sk';
  ttlAttribute: 'expiresAt';
}

export interface Topology {
  table: TableSpec;
  functions: Record<FunctionName, FunctionSpec>;
  routes: readonly RouteSpec[];
  queues: Record<QueueName, QueueSpec>;
}

export const topology = {
  table: { partitionKey: 'pk', sortKey: 'sk', ttlAttribute: 'expiresAt' },
  functions: {
    capture: {
      entry: 'functions/capture.ts',
      description: 'Validates a form submission, stores the lead with consent and retention, enqueues routing',
      memoryMb: 1024,
      timeoutSeconds: 10,
      access: { table: 'readWrite', sendsTo: ['routing'], hmacSecret: true },
    },
    route: {
      entry: 'functions/route.ts',
      description: 'Consumes routing messages',
      memoryMb: 512,
      timeoutSeconds: 30,
      access: { table: 'readWrite', sendsTo: [], hmacSecret: false },
    },
  },
  routes: [{ method: 'POST', path: '/forms/{formId}/submissions', function: 'capture' }],
  queues: {
    routing: {
      consumer: 'route',
      batchSize: 10,
      maxBatchingWindowSeconds: 1,
      // AWS advises at least six times the consumer's timeout.
      visibilityTimeoutSeconds: 180,
      maxReceiveCount: 5,
    },
  },
} as const satisfies Topology;

/** Environment variable carrying a queue's URL, e.g. ROUTING_QUEUE_URL. */
export const queueUrlVariable = (queue: QueueName): string => `${queue.toUpperCase()}_QUEUE_URL`;

export const functionNames = Object.keys(topology.functions) as FunctionName[];
export const queueNames = Object.keys(topology.queues) as QueueName[];
