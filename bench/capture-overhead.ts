import { Agent } from 'node:http';
import { Worker } from 'node:worker_threads';
import { bareWrites } from './bare-writes';
import { configVariant, manyPeopleOneClient } from '../infra/local/config-variant';
import { postJsonFrom } from '../infra/local/post-from';
import { type LocalRuntime, startLocalRuntime } from '../infra/local/runtime';
import { SECRET_VARIABLES } from '../shared/config/function-env';
import { createKeyring } from '../shared/domain/core/keyring';
import { renderToken } from '../shared/domain/core/links';
import { type CaptureWritesTarget, captureWrites } from './capture-writes';
import { awsWaitMs } from './cost-model';
import { type Floor, startFloor } from './floor-host';

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

/**
 * p50 of a capture through the local runtime (HTTP to capture's function URL, the default edge →
 * handler → DynamoDB and SQS emulators) over p50 of the bare DynamoDB write plus SQS send it must
 * make, against the same emulators. Timed with the request meter off, as on Lambda; the facts only
 * the meter sees (requests, sandbox CPU, round trips as timed) come from a second, metered runtime.
 */
export interface CaptureOverhead {
  captureMs: number;
  bareMs: number;
  ratio: number;
  /**
   * p50 of the bare put + send made by a function that does nothing else (bench/floor-function.ts),
   * in a sandbox and behind a function URL as capture is: the least any capture could take here.
   */
  floorMs: number;
  /** AWS requests one capture makes (metered), against the bare baseline's two. */
  requestsPerCapture: number;
  /** Capture p50 per request it makes, over bare p50 per request: the cost of everything else. */
  perRequestRatio: number;
  /**
   * p50 of the writes capture makes (its conditional put of the submission in parallel with the
   * client's counter update, through the same adapters, then the routing message) made bare from
   * the benchmark: what the emulators take for capture's requests, without our code around them.
   */
  sameWritesMs: number;
  /**
   * p50 of the same writes made from a worker thread of their own, as a function's sandbox makes
   * them: what the hop between threads adds to capture's requests on this machine.
   */
  threadWritesMs: number;
  /**
   * p50 of the capture sandbox's own CPU time per capture, as its invocation timer measures it
   * (the thread's CPU over the invocation): the handler and its SDK requests, without the emulators.
   */
  sandboxCpuMs: number;
  /** The same p50s with every DynamoDB and SQS request held `delayMs` (an in-region round trip). */
  delayed: { delayMs: number; captureMs: number; bareMs: number; ratio: number };
  /**
   * Sequential round trips per capture: the p50 the delay added to a capture, over what it added
   * to each of the bare baseline's two sequential requests (a timer's delay is a little over its
   * nominal value).
   */
  roundTrips: number;
  /**
   * Sequential round trips per capture as timed in its sandbox: the longest chain of its AWS
   * requests (requests sent together count once), at p50 and at most, over the metered captures.
   */
  timedRoundTrips: { p50: number; max: number };
}

/** One in-region DynamoDB or SQS call, about. */
const ROUND_TRIP_MS = 5;

/** Captures timed with the request meter on, for what only the meter sees (requests, CPU, round trips). */
const METERED_ROUNDS = 100;

/**
 * Client addresses the captures come from, in turn (any 127.x.y.z on Linux), each over its own
 * kept-alive connection: a few posts per address in the run's hour, as real visitors make, where
 * one address posting every capture would grow its hourly counter item by every render token it
 * carried and measure that item's size instead.
 */
const CLIENT_ADDRESSES = 32;
const clientAddress = (i: number) => `127.0.1.${i + 1}`;
/** The i-th post's client (warm-ups count down from -1). */
const clientOf = (i: number) => ((i % CLIENT_ADDRESSES) + CLIENT_ADDRESSES) % CLIENT_ADDRESSES;

interface BenchRuntime {
  runtime: LocalRuntime;
  queueUrl: string;
  capture(i: number): Promise<number>;
  bare(i: number): Promise<number>;
  /** Capture's writes through its adapters, made from this thread. */
  here: ReturnType<typeof captureWrites>;
  target: CaptureWritesTarget;
  clients: Agent[];
  stop(): Promise<void>;
}

/**
 * The local runtime for the benchmark, with delay proxies, and with the request meter only when
 * `metered`: the meter asks DynamoDB for consumed capacity and new items and tells the runtime of
 * every request, work no function does on Lambda, so the latencies are timed without it.
 */
async function benchRuntime(metered: boolean): Promise<BenchRuntime> {
  // One client sending hundreds of posts a minute is the benchmark, not abuse: lift the rate limits.
  const configFile = configVariant((c) => manyPeopleOneClient(c));
  const runtime = await startLocalRuntime({
    ports: { api: 0, dynamodb: 0, sqs: 0, ses: 0, destinations: 0 },
    consumers: false,
    schedules: false,
    configFile,
    faults: { countRequests: metered, delayProxies: true },
    log: () => undefined,
  });
  const queueUrl = new URL(new URL(runtime.queues.routing.url).pathname, runtime.functionEndpoints.sqs).href;
  const hmacSecret = process.env[SECRET_VARIABLES.hmac.value] as string;
  // Everything the benchmark sends goes through the functions' proxies, so the baseline pays the same hops.
  const target: CaptureWritesTarget = {
    dynamodbEndpoint: runtime.functionEndpoints.dynamodb,
    sqsEndpoint: runtime.functionEndpoints.sqs,
    tableName: runtime.tableName,
    routingQueueUrl: queueUrl,
    hmacSecret,
    screening: runtime.config.screening,
  };
  const here = captureWrites(target, 'same');
  const clients = Array.from({ length: CLIENT_ADDRESSES }, (_, i) => new Agent({ keepAlive: true, maxSockets: 1, localAddress: clientAddress(i) }));
  const keyring = createKeyring(hmacSecret);
  const captureUrl = new URL(`${runtime.urls.capture}/forms/newsletter/submissions`);
  return {
    runtime,
    queueUrl,
    here,
    target,
    clients,
    async capture(i) {
      const body = {
        email: `bench${i}@engines.example`,
        consent: ['marketing_email'],
        consentVersion: runtime.config.purposes.marketing_email!.consentText.version,
        renderedAt: renderToken(keyring, 'newsletter', new Date(Date.now() - 5000)),
      };
      const client = clientOf(i);
      const started = performance.now();
      const response = await postJsonFrom(captureUrl, clientAddress(client), body, {}, 10_000, clients[client]);
      if (response.status !== 202) throw new Error(`capture answered ${response.status}: ${response.text}`);
      return performance.now() - started;
    },
    async bare(i) {
      const started = performance.now();
      await bareWrites(here.db, here.sqs, { tableName: runtime.tableName, queueUrl }, 'BENCH', i);
      return performance.now() - started;
    },
    async stop() {
      for (const client of clients) client.destroy();
      here.close();
      await runtime.stop();
    },
  };
}

export async function captureOverhead(rounds = 300): Promise<CaptureOverhead> {
  const timed = await timedWithoutMeter(rounds);
  const metered = await meteredFacts(METERED_ROUNDS);
  return {
    ...timed,
    ratio: timed.captureMs / timed.bareMs,
    ...metered,
    perRequestRatio: timed.captureMs / metered.requestsPerCapture / (timed.bareMs / 2),
    roundTrips: (timed.delayed.captureMs - timed.captureMs) / ((timed.delayed.bareMs - timed.bareMs) / 2),
  };
}

async function timedWithoutMeter(rounds: number) {
  const bench = await benchRuntime(false);
  const { runtime, queueUrl, capture, bare, here, clients } = bench;
  const thread = new Worker(new URL('./capture-writes-thread.ts', import.meta.url), { workerData: bench.target });
  let floor: Floor | undefined;
  try {
    floor = await startFloor(runtime, queueUrl, { metered: false });
    const floorUrl = new URL(`${floor.url}/forms/newsletter/submissions`);
    const atFloor = async (i: number) => {
      const client = clientOf(i);
      const started = performance.now();
      const response = await postJsonFrom(floorUrl, clientAddress(client), { email: `floor${i}@engines.example` }, {}, 10_000, clients[client]);
      if (response.status !== 202) throw new Error(`the floor function answered ${response.status}: ${response.text}`);
      return performance.now() - started;
    };
    const fromThread = (i: number) =>
      new Promise<number>((resolve, reject) => {
        thread.once('message', resolve);
        thread.once('error', reject);
        thread.postMessage(i);
      }).finally(() => thread.removeAllListeners('error'));
    for (let i = 0; i < 50; i++) {
      await capture(-i - 1);
      await bare(-i - 1);
      await atFloor(-i - 1);
      await here.make(-i - 1);
      await fromThread(-i - 1);
    }
    const captureTimes: number[] = [];
    const bareTimes: number[] = [];
    const floorTimes: number[] = [];
    for (let i = 0; i < rounds; i++) {
      captureTimes.push(await capture(i));
      bareTimes.push(await bare(i));
      floorTimes.push(await atFloor(i));
    }
    const sameWritesTimes: number[] = [];
    const threadWritesTimes: number[] = [];
    for (let i = 0; i < rounds; i++) {
      sameWritesTimes.push(await here.make(i));
      threadWritesTimes.push(await fromThread(i));
    }

    runtime.setRequestDelay(ROUND_TRIP_MS);
    const delayedCapture: number[] = [];
    const delayedBare: number[] = [];
    for (let i = 0; i < rounds / 3; i++) {
      delayedCapture.push(await capture(rounds + i));
      delayedBare.push(await bare(rounds + i));
    }
    return {
      captureMs: median(captureTimes),
      bareMs: median(bareTimes),
      floorMs: median(floorTimes),
      sameWritesMs: median(sameWritesTimes),
      threadWritesMs: median(threadWritesTimes),
      delayed: {
        delayMs: ROUND_TRIP_MS,
        captureMs: median(delayedCapture),
        bareMs: median(delayedBare),
        ratio: median(delayedCapture) / median(delayedBare),
      },
    };
  } finally {
    await floor?.stop();
    await thread.terminate();
    await bench.stop();
  }
}

async function meteredFacts(rounds: number) {
  const bench = await benchRuntime(true);
  const { runtime, capture } = bench;
  try {
    for (let i = 0; i < 50; i++) await capture(-i - 1);
    const requests = () => Object.values(runtime.meterReadings().requests).reduce((sum, n) => sum + n, 0);
    const before = requests();
    for (let i = 0; i < rounds; i++) await capture(i);
    const requestsPerCapture = (requests() - before) / rounds;
    const timings = (runtime.invocationTimings().capture ?? []).slice(-rounds);
    const chains = timings.map((timing) => awsWaitMs(timing.aws, () => 1));
    return {
      requestsPerCapture,
      sandboxCpuMs: median(timings.map((timing) => timing.cpuMs)),
      timedRoundTrips: { p50: median(chains), max: Math.max(...chains) },
    };
  } finally {
    await bench.stop();
  }
}
