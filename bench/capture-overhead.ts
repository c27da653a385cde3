import { Agent } from 'node:http';
import { Worker } from 'node:worker_threads';
import { bareWrites } from './bare-writes';
import { configVariant, manyPeopleOneClient } from '../infra/local/config-variant';
import { postJsonFrom } from '../infra/local/post-from';
import { startLocalRuntime } from '../infra/local/runtime';
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
 * make, against the same emulators.
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
   * requests (requests sent together count once), at p50 and at most, over the plain captures.
   */
  timedRoundTrips: { p50: number; max: number };
}

/** One in-region DynamoDB or SQS call, about. */
const ROUND_TRIP_MS = 5;

/**
 * Client addresses the captures come from, in turn (any 127.x.y.z on Linux), each over its own
 * kept-alive connection: a few posts per address in the run's hour, as real visitors make, where
 * one address posting every capture would grow its hourly counter item by every render token it
 * carried and measure that item's size instead.
 */
const CLIENT_ADDRESSES = 32;

export async function captureOverhead(rounds = 300): Promise<CaptureOverhead> {
  // One client sending hundreds of posts a minute is the benchmark, not abuse: lift the rate limits.
  const configFile = configVariant((c) => manyPeopleOneClient(c));
  const runtime = await startLocalRuntime({
    ports: { api: 0, dynamodb: 0, sqs: 0, ses: 0, destinations: 0 },
    consumers: false,
    schedules: false,
    configFile,
    faults: { countRequests: true, delayProxies: true },
    log: () => undefined,
  });
  const queueUrl = new URL(new URL(runtime.queues.routing.url).pathname, runtime.functionEndpoints.sqs).href;
  const hmacSecret = process.env[SECRET_VARIABLES.hmac.value] as string;
  // Capture's own writes through its adapters: from this thread, and from a thread of their own as
  // a sandbox makes them. Everything the benchmark sends goes through the functions' proxies, so
  // the baseline pays the same hops.
  const target: CaptureWritesTarget = {
    dynamodbEndpoint: runtime.functionEndpoints.dynamodb,
    sqsEndpoint: runtime.functionEndpoints.sqs,
    tableName: runtime.tableName,
    routingQueueUrl: queueUrl,
    hmacSecret,
    screening: runtime.config.screening,
  };
  const here = captureWrites(target, 'same');
  const clientAddress = (i: number) => `127.0.1.${i + 1}`;
  const clients = Array.from({ length: CLIENT_ADDRESSES }, (_, i) => new Agent({ keepAlive: true, maxSockets: 1, localAddress: clientAddress(i) }));
  const thread = new Worker(new URL('./capture-writes-thread.ts', import.meta.url), { workerData: target });
  let floor: Floor | undefined;
  try {
    floor = await startFloor(runtime, queueUrl);
    const keyring = createKeyring(hmacSecret);
    const captureUrl = new URL(`${runtime.urls.capture}/forms/newsletter/submissions`);
    const capture = async (i: number) => {
      const body = {
        email: `bench${i}@engines.example`,
        consent: ['marketing_email'],
        consentVersion: runtime.config.purposes.marketing_email!.consentText.version,
        renderedAt: renderToken(keyring, 'newsletter', new Date(Date.now() - 5000)),
      };
      const client = ((i % CLIENT_ADDRESSES) + CLIENT_ADDRESSES) % CLIENT_ADDRESSES; // warm-ups count down from -1
      const started = performance.now();
      const response = await postJsonFrom(captureUrl, clientAddress(client), body, {}, 10_000, clients[client]);
      if (response.status !== 202) throw new Error(`capture answered ${response.status}: ${response.text}`);
      return performance.now() - started;
    };
    const bare = async (i: number) => {
      const started = performance.now();
      await bareWrites(here.db, here.sqs, { tableName: runtime.tableName, queueUrl }, 'BENCH', i);
      return performance.now() - started;
    };
    const floorUrl = new URL(`${floor.url}/forms/newsletter/submissions`);
    const atFloor = async (i: number) => {
      const client = ((i % CLIENT_ADDRESSES) + CLIENT_ADDRESSES) % CLIENT_ADDRESSES;
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
    const sameWritesTimes: number[] = [];
    const requests = () => Object.values(runtime.meterReadings().requests).reduce((sum, n) => sum + n, 0);
    const before = requests();
    for (let i = 0; i < rounds; i++) {
      captureTimes.push(await capture(i));
      bareTimes.push(await bare(i));
      floorTimes.push(await atFloor(i));
    }
    const requestsPerCapture = (requests() - before) / rounds;
    const timed = (runtime.invocationTimings().capture ?? []).slice(-rounds);
    const chains = timed.map((timing) => awsWaitMs(timing.aws, () => 1));
    const threadWritesTimes: number[] = [];
    for (let i = 0; i < rounds; i++) {
      sameWritesTimes.push(await here.make(i));
      threadWritesTimes.push(await fromThread(i));
    }
    const captureMs = median(captureTimes);
    const bareMs = median(bareTimes);

    runtime.setRequestDelay(ROUND_TRIP_MS);
    const delayedCapture: number[] = [];
    const delayedBare: number[] = [];
    for (let i = 0; i < rounds / 3; i++) {
      delayedCapture.push(await capture(rounds + i));
      delayedBare.push(await bare(rounds + i));
    }
    const delayed = {
      delayMs: ROUND_TRIP_MS,
      captureMs: median(delayedCapture),
      bareMs: median(delayedBare),
      ratio: median(delayedCapture) / median(delayedBare),
    };
    return {
      captureMs,
      bareMs,
      ratio: captureMs / bareMs,
      floorMs: median(floorTimes),
      requestsPerCapture,
      perRequestRatio: captureMs / requestsPerCapture / (bareMs / 2),
      sameWritesMs: median(sameWritesTimes),
      threadWritesMs: median(threadWritesTimes),
      sandboxCpuMs: median(timed.map((timing) => timing.cpuMs)),
      delayed,
      roundTrips: (delayed.captureMs - captureMs) / ((delayed.bareMs - bareMs) / 2),
      timedRoundTrips: { p50: median(chains), max: Math.max(...chains) },
    };
  } finally {
    await floor?.stop();
    await thread.terminate();
    for (const client of clients) client.destroy();
    here.close();
    await runtime.stop();
  }
}
