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

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
    server.close(() => resolve());
  });
}

/** dynalite: the DynamoDB API in JavaScript, kept in LevelDB under `dataDir`, or in memory. */
export async function startDynamoDb(port: number, dataDir?: string): Promise<Emulator> {
  const dynalite = require('dynalite') as (options: Record<string, unknown>) => Server;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(dataDir ? { path: dataDir } : {}) });
  const actual = await listen(server, port);
  return { name: 'DynamoDB (dynalite)', url: `http://${LOOPBACK}:${actual}`, stop: () => closeServer(server) };
}

/** fauxqs: the SQS API, with visibility timeouts and dead-letter redrive. State is in memory. */
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
