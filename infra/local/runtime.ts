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
import { advanceRuntimeClock, runtimeClock, runtimeClockOffsetMs } from '../../shared/adapters/runtime-clock';
import { removeRuntimeState, writeRuntimeState } from './runtime-state';
import {
  queueNames,
  scheduleNames,
  topology as declaredTopology,
  type BoundResources,
  type FunctionName,
  type FunctionSpec,
  type QueueName,
  type Topology,
} from '../topology';
import { clockRoute } from './clock-route';
import { createKeyring, type Keyring } from '../../shared/domain/core/keyring';
import { demoPageRoute } from './demo-page';
import { mailRoute, type PipelineSource, pipelineRoute, pipelineRows } from './pipeline-view';
import { DEFAULT_PORTS } from './names';

export { DEFAULT_PORTS };
import { sesEventsRoute } from './ses-events-route';
import { type EmulatorSet, startEmulators } from './emulators';
import { startHttpGateway } from './http-gateway';
import { startFunctionUrl } from './function-url';
import { functionBundles } from './function-bundles';
import { startLambdaHost, type LambdaHost } from './lambda-host';
import { provisionDestinations, provisionQueues, provisionTable, type LocalDestinationQueue, type LocalQueue } from './provision';
import { SNSClient } from '@aws-sdk/client-sns';
import { type DestinationDoubles, startDestinationDoubles } from './doubles/destination-doubles';
import { reportRoutes } from './reports-route';
import { destinationFailRoute, destinationsViewRoute, localDestinationSecrets, slackSecrets, withLocalDestinations } from './doubles/local-destinations';
import { SqsPoller } from './sqs-poller';
import type { MeterReadings } from './request-meter';
import type { SandboxTiming } from './worker-messages';
import { type Faults, NO_READINGS, startFaults } from './faults';
import { LOCAL_CREDENTIALS, LOCAL_REGION, localFunctionEnvironment } from './function-environment';
import { scheduleRunner } from './schedules';

export type { Faults } from './faults';
import { sweepExpired } from './ttl-sweeper';

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
  /** Each destination's secret (default: the LEADGATE_DESTINATION_SECRET_<ID> variable, else a generated one). */
  destinationSecrets?: Record<string, string>;
  /** How many requests the local destinations keep for inspection (default 2000). */
  destinationRequestsKept?: number;
  /** How long a destination call may take before it counts as unanswered (default 10 s, as deployed). */
  destinationTimeoutMs?: number;
  /** Shrinks destination retry delays, so an outage of a simulated hour passes in seconds (1: real time). */
  retryScale?: number;
  /** Shrinks the destinations' 24-hour retry window apart from the delays (default: retryScale). */
  retryWindowScale?: number;
  log?: (line: string) => void;
}

export interface LocalRuntime {
  config: LeadgateConfig;
  /** `capture`: capture's function URL (its own origin, as deployed), or the API with edge.captureFunctionUrl off. */
  urls: { api: string; capture: string; dynamodb: string; sqs: string; ses: string };
  tableName: string;
  queues: Record<QueueName, LocalQueue>;
  /** Each destination's FIFO queue and dead-letter queue. */
  destinationQueues: Record<string, LocalDestinationQueue>;
  /** The local webhook sink, HubSpot and Slack, with what they received. */
  destinations: DestinationDoubles;
  db: DynamoDBDocumentClient;
  sqs: SQSClient;
  /** Deletes expired items now, as DynamoDB TTL would eventually. */
  sweep(): Promise<number>;
  /** Runs every scheduled function once, now (they also run on timers). */
  runSchedules(): Promise<void>;
  /** Moves the clock every local function reads, then runs the schedules and the TTL sweep. */
  advanceClock(ms: number): Promise<void>;
  /**
   * With faults.routingSendFailureRate or delayProxies: the functions cannot reach SQS or SNS for
   * `ms` (their requests are cut off; the queues keep their messages, as in an AWS outage).
   */
  interruptSqs(ms: number): Promise<void>;
  /** Stops the SQS emulator (to inject an outage); `startSqs` brings it back on the same port, empty. */
  stopSqs(): Promise<void>;
  startSqs(): Promise<void>;
  /** With faults.countRequests: what the functions and pollers asked of AWS so far (request meter). */
  meterReadings(): MeterReadings;
  /** Invokes a function once, as its trigger would (benchmarks drive a consumer directly). */
  invoke<E, R>(name: FunctionName, event: E): Promise<R>;
  /** Function invocations so far, by function. */
  invocations(): Partial<Record<FunctionName, number>>;
  /** With faults.countRequests: how long each invocation ran and what it waited on, by function (the cost model's billed durations). */
  invocationTimings(): Partial<Record<FunctionName, SandboxTiming[]>>;
  /** The CPU time each function's sandbox spent in its init (importing its bundle). */
  initCpuMs(): Partial<Record<FunctionName, number>>;
  /** The DynamoDB and SQS endpoints the functions use (behind the delay proxies, with faults.delayProxies). */
  functionEndpoints: { dynamodb: string; sqs: string };
  /** With faults.delayProxies: holds each of the functions' DynamoDB and SQS requests this long. */
  setRequestDelay(ms: number): void;
  /** With faults.routingSendFailureRate: the routing-queue sends failed on purpose so far. */
  refusedRoutingSends(): number;
  stop(): Promise<void>;
}

/** A queue URL's last part: the queue's name. */
const lastPathPart = (url: string): string => url.slice(url.lastIndexOf('/') + 1);

function localSecret(dataDir: string | undefined): string {
  if (!dataDir) return randomBytes(32).toString('base64url');
  const file = join(dataDir, 'hmac-secret');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

/** Starts emulators, provisions the topology's resources and serves its functions locally. */
export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const log = options.log ?? (() => undefined);
  // A caller that asks for free ports (tests) gets a free one for capture's URL too.
  const ports = { ...DEFAULT_PORTS, ...(options.ports?.api === 0 ? { capture: 0 } : {}), ...options.ports };
  const topology = options.topology ?? declaredTopology;
  const configFile = resolve(options.configFile ?? process.env[CONFIG_FILE_VARIABLE] ?? 'leadgate.config.yaml');
  const config = loadConfigFile(configFile);

  const dataDir = options.dataDir ? resolve(options.dataDir) : undefined;
  if (dataDir && options.fresh) rmSync(dataDir, { recursive: true, force: true });
  if (dataDir) mkdirSync(join(dataDir, 'dynamodb'), { recursive: true });

  let emulators: EmulatorSet | undefined;
  let releaseFaults = async (): Promise<void> => undefined;
  let stopHost = async (): Promise<void> => undefined;
  let stopDoubles = async (): Promise<void> => undefined;
  const stopAll = async () => {
    await stopHost().catch(() => undefined);
    await stopDoubles().catch(() => undefined);
    await emulators?.stop();
  };
  try {
    emulators = await startEmulators(
      ports,
      (options.dynamodb ?? process.env.LEADGATE_DYNAMODB) === 'dynamodb-local' ? 'dynamodb-local' : 'dynalite',
      dataDir && join(dataDir, 'dynamodb'),
    );
    const { urls } = emulators;
    const emulatorSet = emulators;
    const sqsUrl = urls.sqs;

    const faults = options.faults ?? {};
    const injected = await startFaults(faults, urls, topology.table.indexes);
    releaseFaults = () => injected.stop();
    const { endpoints, meter } = injected;

    const credentials = LOCAL_CREDENTIALS;
    const lowLevel = new DynamoDBClient({ region: LOCAL_REGION, endpoint: urls.dynamodb, credentials });
    const db = DynamoDBDocumentClient.from(lowLevel, { marshallOptions: { removeUndefinedValues: true } });
    const sqs = new SQSClient({ region: LOCAL_REGION, endpoint: sqsUrl, credentials });
    const tableName = await provisionTable(lowLevel);
    const queues = await provisionQueues(sqs, sqsUrl, faults.visibilityTimeoutSeconds);
    const sns = new SNSClient({ region: LOCAL_REGION, endpoint: sqsUrl, credentials });
    const destinationIds = Object.keys(config.destinations);
    const givenSecrets = localDestinationSecrets(config.destinations, options.destinationSecrets);
    const doubles = await startDestinationDoubles(givenSecrets, { port: ports.destinations, keep: options.destinationRequestsKept });
    const destinationSecrets = slackSecrets(config, givenSecrets, doubles);
    stopDoubles = () => doubles.stop();
    const events = await provisionDestinations(sqs, sns, sqsUrl, destinationIds, faults.visibilityTimeoutSeconds);
    const functionConfig = withLocalDestinations(config, doubles);
    // The pollers' requests are metered too: Lambda's own SQS polling is billed.
    const pollerSqs = meter ? new SQSClient({ region: LOCAL_REGION, endpoint: sqsUrl, credentials }) : sqs;
    if (meter) pollerSqs.middlewareStack.use(meter.plugin);

    // The gateway listens before the functions start (their environment names its URL): a request
    // in between waits for them, as Lambda holds an invocation through its sandbox's init, rather
    // than getting a 500.
    let hostStarted: (started: LambdaHost) => void = () => undefined;
    let hostFailed: (error: unknown) => void = () => undefined;
    const host = new Promise<LambdaHost>((resolve, reject) => {
      hostStarted = resolve;
      hostFailed = reject;
    });
    host.catch(() => undefined);
    const invoke = async <E, R>(name: FunctionName, event: E): Promise<R> => (await host).invoke<E, R>(name, event);
    const onError = (error: unknown) => log(`local runtime: ${(error as Error)?.stack ?? String(error)}`);
    const sweep = () => sweepExpired(db, tableName, runtimeClock);
    const { runSchedule, runSchedules } = scheduleRunner(topology, invoke);
    let publishState: () => void = () => undefined;
    const advanceClock = async (ms: number) => {
      advanceRuntimeClock(ms);
      publishState();
      // A schedule that fails or runs out of time is reported, as in AWS; the clock still moved.
      await runSchedules().catch(onError);
      await sweep().catch(onError);
    };

    let publicUrl = '';
    let captureUrl = '';
    let pipelineKeyring: Keyring | undefined;
    const pipeline = (): PipelineSource => ({
      db,
      tableName,
      sesUrl: urls.ses,
      apiUrl: publicUrl,
      keyring: pipelineKeyring as Keyring,
      now: () => runtimeClock.now(),
    });
    // The gateway starts first: its URL is the public URL the functions put in links.
    const gateway = await startHttpGateway({
      port: ports.api,
      routes: topology.routes,
      invoke: (name, event) => invoke(name, event),
      localRoutes: [
        demoPageRoute(
          config,
          () => ({ api: publicUrl, capture: captureUrl, ses: urls.ses }),
          () => pipelineRows(pipeline()),
        ),
        pipelineRoute(pipeline),
        mailRoute(() => urls.ses),
        clockRoute(advanceClock, () => runtimeClock.now()),
        sesEventsRoute(async (message) => {
          await sqs.send(new SendMessageCommand({ QueueUrl: queues[topology.mail.eventsQueue].url, MessageBody: message }));
        }),
        ...destinationIds.map((id) => destinationFailRoute(id, doubles)),
        destinationsViewRoute(() => doubles.received(), destinationIds),
        ...reportRoutes(config, db, tableName, () => runtimeClock.now()),
      ],
      onError,
    });

    publicUrl = gateway.url;
    // Capture's function URL, on an origin of its own as deployed, where embedded forms fetch their render token and post.
    const functionUrl = config.edge.captureFunctionUrl
      ? await startFunctionUrl({ port: ports.capture, function: 'capture', invoke: (name, event) => invoke(name, event), onError }).catch(async (error) => {
          await gateway.stop();
          throw error;
        })
      : undefined;
    const runtimeUrls = { api: gateway.url, capture: functionUrl?.url ?? gateway.url, ...urls };
    captureUrl = runtimeUrls.capture;
    const hmacSecret = localSecret(dataDir);
    pipelineKeyring = createKeyring(hmacSecret);
    // The CLI and the tests, run from this process, read the local secret and the config from here.
    Object.assign(process.env, { [SECRET_VARIABLES.hmac.value]: hmacSecret, [CONFIG_FILE_VARIABLE]: configFile });
    provideSettings(functionConfig);
    const turnstileSecret = options.secrets?.turnstile ?? process.env[SECRET_VARIABLES.turnstile.value];
    const resources: BoundResources = {
      tableName,
      publicApiUrl: gateway.url,
      captureUrl: runtimeUrls.capture,
      // The SDK sends to a queue's own URL: point the functions' URLs at the endpoint they use.
      queueUrl: (queue) => new URL(new URL(queues[queue].url).pathname, endpoints.sqs).href,
      topicArn: () => events.topicArn,
      destinations: () => ({
        // The emulator's account path (/<account>/) at the endpoint the functions use.
        queueUrlBase: new URL(new URL('.', queues.routing.url).pathname, endpoints.sqs).href,
        destinations: Object.fromEntries(
          Object.entries(events.queues).map(([id, queue]) => [
            id,
            { queue: lastPathPart(queue.url), deadLetterQueue: lastPathPart(queue.deadLetterUrl), secret: { value: destinationSecrets[id] as string } },
          ]),
        ),
      }),
      sesConfigurationSet: 'leadgate-local',
      secret: (name) => {
        if (name === 'hmac') return { value: hmacSecret };
        return config.screening.turnstile.enabled && turnstileSecret ? { value: turnstileSecret } : undefined;
      },
    };
    const functionSpecs = topology.functions as Record<FunctionName, FunctionSpec>;
    const names = Object.keys(functionSpecs) as FunctionName[];
    let lambdaHost: LambdaHost;
    try {
      lambdaHost = await startLambdaHost({
        functions: functionSpecs,
        bundles: await functionBundles(names.map((name) => functionSpecs[name].entry)),
        environments: Object.fromEntries(
          names.map((name) => [
            name,
            {
              ...localFunctionEnvironment(functionSpecs[name], resources, endpoints),
              ...(options.retryScale ? { [VARIABLES.retryScale]: String(options.retryScale) } : {}),
              ...(options.retryWindowScale ? { [VARIABLES.retryWindowScale]: String(options.retryWindowScale) } : {}),
              ...(options.destinationTimeoutMs ? { [VARIABLES.destinationTimeoutMs]: String(options.destinationTimeoutMs) } : {}),
            },
          ]),
        ),
        settings: functionConfig,
        ...(config.edge.captureReservedConcurrency !== undefined ? { reservedConcurrency: { capture: config.edge.captureReservedConcurrency } } : {}),
        ...(meter ? { meter: meter.observe } : {}),
        log,
      });
    } catch (error) {
      hostFailed(error);
      throw error;
    }
    hostStarted(lambdaHost);
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
            invoke: injected.consumer(name, (event) => invoke<SQSEvent, SQSBatchResponse>(spec.consumer, event)),
            onError,
          }),
      );
    });
    const destinationSpec = topology.destinationQueues;
    pollers.push(
      ...Object.values(events.queues).flatMap((queue) =>
        Array.from(
          { length: config.destinations[queue.destinationId]?.maxConcurrency ?? 2 },
          () =>
            new SqsPoller({
              sqs: pollerSqs,
              queueUrl: queue.url,
              queueArn: queue.arn,
              spec: {
                ...destinationSpec,
                maxBatchingWindowSeconds: 0,
                maxConcurrency: 1,
                visibilityTimeoutSeconds: faults.visibilityTimeoutSeconds ?? destinationSpec.visibilityTimeoutSeconds,
              },
              invoke: (event) => invoke<SQSEvent, SQSBatchResponse>(destinationSpec.consumer, event),
              onError,
            }),
        ),
      ),
    );
    if (options.consumers ?? true) for (const poller of pollers) poller.start();

    const timers = [
      setInterval(() => void sweep().catch(onError), options.sweepIntervalMs ?? 60_000),
      ...scheduleNames.map((name) => setInterval(() => void runSchedule(name).catch(onError), topology.schedules[name].localEverySeconds * 1000)),
    ];
    if (!(options.schedules ?? true)) timers.slice(1).forEach(clearInterval);
    for (const timer of timers) timer.unref();

    // The CLI finds this runtime (ports, local clock) through its data folder.
    if (dataDir) {
      const startedAt = new Date().toISOString();
      publishState = () => writeRuntimeState(dataDir, { pid: process.pid, startedAt, urls: runtimeUrls, clockOffsetMs: runtimeClockOffsetMs() });
      publishState();
    }

    return {
      config,
      urls: runtimeUrls,
      tableName,
      queues,
      destinationQueues: events.queues,
      destinations: doubles,
      db,
      sqs,
      sweep,
      runSchedules,
      advanceClock,
      meterReadings: () => meter?.readings() ?? NO_READINGS,
      invoke: (name, event) => lambdaHost.invoke(name, event),
      invocations: () => lambdaHost.invocations(),
      invocationTimings: () => lambdaHost.timings(),
      initCpuMs: () => lambdaHost.initCpuMs(),
      functionEndpoints: { dynamodb: endpoints.dynamodb, sqs: endpoints.sqs },
      setRequestDelay: (ms) => injected.setDelay(ms),
      refusedRoutingSends: () => injected.refusedRoutingSends(),
      interruptSqs: (ms) => injected.interruptSqs(ms),
      stopSqs: () => emulatorSet.stopSqs(),
      async startSqs() {
        await emulatorSet.startSqs();
        await provisionQueues(sqs, sqsUrl, faults.visibilityTimeoutSeconds);
        await provisionDestinations(sqs, sns, sqsUrl, destinationIds, faults.visibilityTimeoutSeconds);
      },
      async stop() {
        timers.forEach(clearInterval);
        await Promise.all(pollers.map((poller) => poller.stop()));
        if (dataDir) removeRuntimeState(dataDir);
        await gateway.stop();
        await functionUrl?.stop();
        await lambdaHost.stop();
        sqs.destroy();
        sns.destroy();
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
