import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { CONFIG_FILE_VARIABLE, loadConfigFile } from '../../shared/config/load';
import { provideSettings } from '../../shared/config/settings-source';
import type { LeadgateConfig } from '../../shared/config/schema';
import { SECRET_VARIABLES, VARIABLES } from '../../shared/config/function-env';
import { advanceRuntimeClock, runtimeClock } from '../../shared/adapters/runtime-clock';
import {
  functionEnvironment,
  queueNames,
  scheduleNames,
  topology as declaredTopology,
  type BoundResources,
  type FunctionName,
  type FunctionSpec,
  type QueueName,
  type ScheduleName,
  type Topology,
} from '../topology';
import { clockRoute } from './clock-route';
import { demoPageRoute } from './demo-page';
import { DEFAULT_PORTS } from './names';

export { DEFAULT_PORTS };
import { sesEventsRoute } from './ses-events-route';
import { startDynamoDb, startDynamoDbLocal, startSes, startSqs, type Emulator } from './emulators';
import { startHttpGateway } from './http-gateway';
import { functionBundles } from './function-bundles';
import { startLambdaHost, type LambdaHost } from './lambda-host';
import { provisionQueues, provisionTable, type LocalQueue } from './provision';
import { SqsPoller, type SqsInvoker } from './sqs-poller';
import { startFaultProxy, type FaultProxy } from './fault-proxy';
import { createRequestMeter, type MeterReadings } from './request-meter';
import { sweepExpired } from './ttl-sweeper';

const REGION = 'us-east-1';

export interface LocalRuntimeOptions {
  /** Ports to listen on (127.0.0.1 only); 0 picks a free one. */
  ports?: Partial<typeof DEFAULT_PORTS>;
  /** Where DynamoDB data and the local HMAC secret are kept; undefined keeps everything in memory. */
  dataDir?: string | undefined;
  /** Start with empty data. */
  fresh?: boolean;
  configFile?: string;
  sweepIntervalMs?: number;
  /** Run the queue consumers (default true); tests that inspect queues turn them off. */
  consumers?: boolean;
  /** Run the schedules on timers (default true); tests that call runSchedules() turn them off. */
  schedules?: boolean;
  /** Which DynamoDB implementation (default: LEADGATE_DYNAMODB, else dynalite). */
  dynamodb?: 'dynalite' | 'dynamodb-local';
  /** Fault injection and request counting, for soak runs (npm run soak). */
  faults?: Faults;
  /** The wiring to run (default: infra/topology.ts); tests pass a changed copy. */
  topology?: Topology;
  /** Local values of the secrets that have no generated local value (default: the turnstile secret's local variable, from this process's environment). */
  secrets?: { turnstile?: string | undefined };
  log?: (line: string) => void;
}

export interface Faults {
  /** Share of SES SendEmail calls answered with a throttling error. */
  sesThrottleRate?: number;
  /** Share of routing records the consumer fails (as if it threw on them). */
  consumerFailureRate?: number;
  /** Records (by queue and body) the consumer fails, as if it threw on them; called per delivery. */
  failRecord?: (queue: QueueName, body: string) => boolean;
  /** Deliver every batch twice, concurrently, as SQS at-least-once delivery may. */
  duplicateDelivery?: boolean;
  /** Shorter visibility timeouts, so failed records come back in seconds. */
  visibilityTimeoutSeconds?: number;
  /** Meter AWS requests and DynamoDB capacity (an SDK middleware on every client), for the cost model. */
  countRequests?: boolean;
  /** Put delay proxies in front of DynamoDB and SQS for the functions (see LocalRuntime.setRequestDelay). */
  delayProxies?: boolean;
}

export interface LocalRuntime {
  config: LeadgateConfig;
  urls: { api: string; dynamodb: string; sqs: string; ses: string };
  tableName: string;
  queues: Record<QueueName, LocalQueue>;
  db: DynamoDBDocumentClient;
  sqs: SQSClient;
  /** Deletes expired items now, as DynamoDB TTL would eventually. */
  sweep(): Promise<number>;
  /** Runs every scheduled function once, now (they also run on timers). */
  runSchedules(): Promise<void>;
  /** Moves the clock every local function reads, then runs the schedules and the TTL sweep. */
  advanceClock(ms: number): Promise<void>;
  /** Stops the SQS emulator (to inject an outage); `startSqs` brings it back on the same port, empty. */
  stopSqs(): Promise<void>;
  startSqs(): Promise<void>;
  /** With faults.countRequests: what the functions and pollers asked of AWS so far (request meter). */
  meterReadings(): MeterReadings;
  /** Function invocations so far, by function. */
  invocations(): Partial<Record<FunctionName, number>>;
  /** The DynamoDB and SQS endpoints the functions use (behind the delay proxies, with faults.delayProxies). */
  functionEndpoints: { dynamodb: string; sqs: string };
  /** With faults.delayProxies: holds each of the functions' DynamoDB and SQS requests this long. */
  setRequestDelay(ms: number): void;
  stop(): Promise<void>;
}

function localSecret(dataDir: string | undefined): string {
  if (!dataDir) return randomBytes(32).toString('base64url');
  const file = join(dataDir, 'hmac-secret');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

/** Starts emulators, provisions the topology's resources and serves its functions locally. */
export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const log = options.log ?? (() => undefined);
  const ports = { ...DEFAULT_PORTS, ...options.ports };
  const topology = options.topology ?? declaredTopology;
  const configFile = resolve(options.configFile ?? process.env[CONFIG_FILE_VARIABLE] ?? 'leadgate.config.yaml');
  const config = loadConfigFile(configFile);

  const dataDir = options.dataDir ? resolve(options.dataDir) : undefined;
  if (dataDir && options.fresh) rmSync(dataDir, { recursive: true, force: true });
  if (dataDir) mkdirSync(join(dataDir, 'dynamodb'), { recursive: true });

  const emulators: Emulator[] = [];
  let sqsEmulator: Emulator | undefined;
  let releaseFaults = async (): Promise<void> => undefined;
  let stopHost = async (): Promise<void> => undefined;
  const stopAll = async () => {
    await stopHost().catch(() => undefined);
    await sqsEmulator?.stop().catch(() => undefined);
    for (const emulator of emulators.reverse()) await emulator.stop().catch(() => undefined);
  };
  try {
    const started = await Promise.allSettled([
      (options.dynamodb ?? process.env.LEADGATE_DYNAMODB) === 'dynamodb-local'
        ? startDynamoDbLocal(ports.dynamodb)
        : startDynamoDb(ports.dynamodb, dataDir && join(dataDir, 'dynamodb')),
      startSqs(ports.sqs),
      startSes(ports.ses),
    ]);
    const [dynamodb, firstSqs, ses] = started.map((result) => (result.status === 'fulfilled' ? result.value : undefined));
    if (dynamodb) emulators.push(dynamodb);
    if (ses) emulators.push(ses);
    sqsEmulator = firstSqs;
    const failure = started.find((result) => result.status === 'rejected');
    if (failure || !dynamodb || !firstSqs || !ses) throw (failure as PromiseRejectedResult).reason;
    const sqsUrl = firstSqs.url;
    const sqsPort = Number(new URL(sqsUrl).port);

    const faults = options.faults ?? {};
    let sesProxy: FaultProxy | undefined;
    if (faults.sesThrottleRate) {
      const rate = faults.sesThrottleRate;
      sesProxy = await startFaultProxy(ses.url, { throttle: (operation) => operation === 'SendEmail' && Math.random() < rate });
    }
    const delayProxies = faults.delayProxies ? await Promise.all([startFaultProxy(dynamodb.url), startFaultProxy(sqsUrl)]) : [];
    const meter = faults.countRequests ? createRequestMeter(topology.table.indexes) : undefined;
    releaseFaults = async () => {
      await sesProxy?.stop();
      await Promise.all(delayProxies.map((proxy) => proxy.stop()));
    };
    const endpoints = { dynamodb: delayProxies[0]?.url ?? dynamodb.url, sqs: delayProxies[1]?.url ?? sqsUrl, ses: sesProxy?.url ?? ses.url };

    const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
    const lowLevel = new DynamoDBClient({ region: REGION, endpoint: dynamodb.url, credentials });
    const db = DynamoDBDocumentClient.from(lowLevel, { marshallOptions: { removeUndefinedValues: true } });
    const sqs = new SQSClient({ region: REGION, endpoint: sqsUrl, credentials });
    const tableName = await provisionTable(lowLevel);
    const queues = await provisionQueues(sqs, sqsUrl, faults.visibilityTimeoutSeconds);
    // The pollers' requests are metered too: Lambda's own SQS polling is billed.
    const pollerSqs = meter ? new SQSClient({ region: REGION, endpoint: sqsUrl, credentials }) : sqs;
    if (meter) pollerSqs.middlewareStack.use(meter.plugin);

    let host: LambdaHost | undefined;
    const invoke = <E, R>(name: FunctionName, event: E): Promise<R> => {
      if (!host) throw new Error('the functions have not started');
      return host.invoke<E, R>(name, event);
    };
    const onError = (error: unknown) => log(`local runtime: ${(error as Error)?.stack ?? String(error)}`);
    const sweep = () => sweepExpired(db, tableName, runtimeClock);
    // One run of a schedule at a time: a local timer fires every few seconds, and a sweep with a
    // long list must not be started again while it is still working through it.
    const running = new Map<ScheduleName, Promise<void>>();
    const runSchedule = (name: ScheduleName): Promise<void> => {
      const current = running.get(name);
      if (current) return current;
      const spec = topology.schedules[name];
      const run = invoke(spec.function, { source: 'leadgate.local', 'detail-type': 'Scheduled Event', time: runtimeClock.now().toISOString() })
        .then(() => undefined)
        .finally(() => running.delete(name));
      running.set(name, run);
      return run;
    };
    const runSchedules = async () => {
      for (const name of scheduleNames) {
        // A run already under way started before the caller's change (say a clock advance): run again after it.
        await running.get(name)?.catch(() => undefined);
        await runSchedule(name);
      }
    };
    const advanceClock = async (ms: number) => {
      advanceRuntimeClock(ms);
      // A schedule that fails or runs out of time is reported, as in AWS; the clock still moved.
      await runSchedules().catch(onError);
      await sweep().catch(onError);
    };

    let publicUrl = '';
    // The gateway starts first: its URL is the public URL the functions put in links.
    const gateway = await startHttpGateway({
      port: ports.api,
      routes: topology.routes,
      invoke: (name, event) => invoke(name, event),
      localRoutes: [
        demoPageRoute(config, () => ({ api: publicUrl, ses: ses.url })),
        clockRoute(advanceClock, () => runtimeClock.now()),
        sesEventsRoute(async (message) => {
          await sqs.send(new SendMessageCommand({ QueueUrl: queues[topology.mail.eventsQueue].url, MessageBody: message }));
        }),
      ],
      onError,
    });

    publicUrl = gateway.url;
    const hmacSecret = localSecret(dataDir);
    // The CLI and the tests, run from this process, read the local secret and the config from here.
    Object.assign(process.env, { [SECRET_VARIABLES.hmac.value]: hmacSecret, [CONFIG_FILE_VARIABLE]: configFile });
    provideSettings(config);
    const turnstileSecret = options.secrets?.turnstile ?? process.env[SECRET_VARIABLES.turnstile.value];
    const resources: BoundResources = {
      tableName,
      publicApiUrl: gateway.url,
      // The SDK sends to a queue's own URL: point the functions' URLs at the endpoint they use.
      queueUrl: (queue) => new URL(new URL(queues[queue].url).pathname, endpoints.sqs).href,
      sesConfigurationSet: 'leadgate-local',
      secret: (name) => {
        if (name === 'hmac') return { value: hmacSecret };
        return config.screening.turnstile.enabled && turnstileSecret ? { value: turnstileSecret } : undefined;
      },
    };
    const lambdaEnvironment = (spec: FunctionSpec): Record<string, string> => ({
      // What Lambda sets for every function, with the credentials the emulators accept.
      AWS_REGION: REGION,
      AWS_DEFAULT_REGION: REGION,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_SESSION_TOKEN: 'local',
      // Each service's endpoint only where a binding allows its use: elsewhere a call would go to AWS and fail, as it would without the grant.
      ...(spec.access.table !== 'none' ? { AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb } : {}),
      ...(spec.access.sendsTo.length ? { AWS_ENDPOINT_URL_SQS: endpoints.sqs } : {}),
      ...(spec.access.sendsEmail ? { AWS_ENDPOINT_URL_SESV2: endpoints.ses } : {}),
      [VARIABLES.mailDomains]: 'examples',
      // Log level and metrics switches, as an operator would set them on the functions.
      ...(Object.fromEntries(
        Object.entries(process.env).filter(([name, value]) => name.startsWith('POWERTOOLS_') && name !== VARIABLES.serviceName && value !== undefined),
      ) as Record<string, string>),
      ...functionEnvironment(spec, resources),
    });
    const functionSpecs = topology.functions as Record<FunctionName, FunctionSpec>;
    const names = Object.keys(functionSpecs) as FunctionName[];
    host = await startLambdaHost({
      functions: functionSpecs,
      bundles: await functionBundles(names.map((name) => functionSpecs[name].entry)),
      environments: Object.fromEntries(names.map((name) => [name, lambdaEnvironment(functionSpecs[name])])),
      settings: config,
      ...(meter ? { meter: meter.observe } : {}),
      log,
    });
    const lambdaHost = host;
    stopHost = () => lambdaHost.stop();

    // Like an event source mapping's concurrency: several pollers per queue, each one batch at a time.
    const pollers = queueNames.flatMap((name) => {
      const spec = topology.queues[name];
      return Array.from(
        { length: spec.maxConcurrency },
        () =>
          new SqsPoller({
            sqs: pollerSqs,
            queueUrl: queues[name].url,
            queueArn: queues[name].arn,
            spec: { ...spec, visibilityTimeoutSeconds: faults.visibilityTimeoutSeconds ?? spec.visibilityTimeoutSeconds },
            invoke: withFaults(
              (event) => invoke<SQSEvent, SQSBatchResponse>(spec.consumer, event),
              (body) => (name === 'routing' && Math.random() < (faults.consumerFailureRate ?? 0)) || (faults.failRecord?.(name, body) ?? false),
              faults.duplicateDelivery ?? false,
            ),
            onError,
          }),
      );
    });
    if (options.consumers ?? true) for (const poller of pollers) poller.start();

    const timers = [
      setInterval(() => void sweep().catch(onError), options.sweepIntervalMs ?? 60_000),
      ...scheduleNames.map((name) => setInterval(() => void runSchedule(name).catch(onError), topology.schedules[name].localEverySeconds * 1000)),
    ];
    if (!(options.schedules ?? true)) timers.slice(1).forEach(clearInterval);
    for (const timer of timers) timer.unref();

    return {
      config,
      urls: { api: gateway.url, dynamodb: dynamodb.url, sqs: sqsUrl, ses: ses.url },
      tableName,
      queues,
      db,
      sqs,
      sweep,
      runSchedules,
      advanceClock,
      meterReadings() {
        return meter?.readings() ?? { requests: {}, readUnits: 0, writeUnits: 0, writeUnitsByItem: {}, indexWriteUnits: 0 };
      },
      invocations: () => lambdaHost.invocations(),
      functionEndpoints: { dynamodb: endpoints.dynamodb, sqs: endpoints.sqs },
      setRequestDelay(ms) {
        if (!delayProxies.length) throw new Error('start the runtime with faults.delayProxies to delay requests');
        for (const proxy of delayProxies) proxy.setDelay(ms);
      },
      async stopSqs() {
        await sqsEmulator?.stop();
        sqsEmulator = undefined;
      },
      async startSqs() {
        if (sqsEmulator) return;
        sqsEmulator = await startSqs(sqsPort);
        await provisionQueues(sqs, sqsUrl, faults.visibilityTimeoutSeconds);
      },
      async stop() {
        timers.forEach(clearInterval);
        await Promise.all(pollers.map((poller) => poller.stop()));
        await gateway.stop();
        await lambdaHost.stop();
        sqs.destroy();
        lowLevel.destroy();
        await releaseFaults();
        await stopAll();
      },
    };
  } catch (error) {
    await releaseFaults();
    await stopAll();
    throw error;
  }
}

/**
 * Wraps a consumer with injected faults: the records `fails` picks fail as if the consumer threw
 * on them, and with duplicate delivery every batch goes to the consumer twice at once.
 */
function withFaults(invokeConsumer: SqsInvoker, fails: (body: string) => boolean, duplicate: boolean): SqsInvoker {
  return async (event) => {
    const failed = event.Records.filter((r) => fails(r.body)).map((r) => r.messageId);
    const records = event.Records.filter((r) => !failed.includes(r.messageId));
    const deliver = () => invokeConsumer({ Records: records });
    const results = records.length ? await Promise.all(duplicate ? [deliver(), deliver()] : [deliver()]) : [];
    const failures = new Set([...failed, ...results.flatMap((r) => (r?.batchItemFailures ?? []).map((f) => f.itemIdentifier))]);
    return { batchItemFailures: [...failures].map((itemIdentifier) => ({ itemIdentifier })) };
  };
}
