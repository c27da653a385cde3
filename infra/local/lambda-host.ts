import type { LeadgateSettings } from '../../shared/domain/core/settings';
import type { FunctionName, FunctionSpec } from '../topology';
import type { FunctionBundles } from './function-bundles';
import type { MeterObservation } from './request-meter';
import { type Sandbox, startSandbox } from './sandbox';
import type { SandboxTiming } from './worker-messages';

export { FunctionInitError } from './sandbox';

/**
 * Sandboxes a function may have at once here when nothing reserves its concurrency. Lambda would
 * start one per concurrent invocation, up to the account's limit (1,000 by default); a laptop
 * cannot, so invocations past this many wait for a sandbox to come free.
 */
export const LOCAL_SANDBOXES_PER_FUNCTION = 4;

export interface LambdaHostOptions {
  functions: Partial<Record<FunctionName, FunctionSpec>>;
  bundles: FunctionBundles;
  /** Each function's whole environment: what its bindings set, plus what Lambda itself sets. */
  environments: Partial<Record<FunctionName, Record<string, string>>>;
  settings: LeadgateSettings;
  /**
   * Reserved concurrency by function (capture's is `edge.captureReservedConcurrency`): an
   * invocation past it is throttled (FunctionThrottledError), as Lambda throttles one.
   */
  reservedConcurrency?: Partial<Record<FunctionName, number>>;
  /** At most this many sandboxes per function (LOCAL_SANDBOXES_PER_FUNCTION unless given). */
  sandboxesPerFunction?: number;
  /** Receives the request meter's observations from every function (soak and cost runs). */
  meter?: (observation: MeterObservation) => void;
  log: (line: string) => void;
}

export interface LambdaHost {
  /** Invokes a function as Lambda would: rejects when it throws, runs past its timeout or is throttled. */
  invoke<E, R>(name: FunctionName, event: E): Promise<R>;
  /** Invocations so far, by function. */
  invocations(): Partial<Record<FunctionName, number>>;
  /** How long each invocation ran, by function (kept only with a meter: soak and cost runs). */
  timings(): Partial<Record<FunctionName, SandboxTiming[]>>;
  /** The CPU time each function's first sandbox spent in its init (importing its bundle). */
  initCpuMs(): Partial<Record<FunctionName, number>>;
  /** Sandboxes started so far, by function (replacements and those a burst added included). */
  sandboxesStarted(): Partial<Record<FunctionName, number>>;
  stop(): Promise<void>;
}

/** An invocation past the function's reserved concurrency: Lambda's TooManyRequestsException. */
export class FunctionThrottledError extends Error {
  override name = 'TooManyRequestsException';
}

/** One function's sandboxes: the idle ones, how many exist or are starting, and who waits for one. */
interface Pool {
  idle: Sandbox[];
  size: number;
  limit: number;
  inFlight: number;
  waiting: ((sandbox: Sandbox | undefined) => void)[];
}

/**
 * Runs each function of the topology in sandboxes of its own, as Lambda does: a sandbox is a
 * worker thread that sees only its function's environment, has its own copy of every module and
 * serves one invocation at a time, so two concurrent invocations never share a module's state
 * here either, and a function whose binding is missing fails here exactly as it would in AWS.
 * Each function's first sandbox starts (its init runs) before the host is returned; more start
 * when invocations overlap, up to the reserved concurrency or the local limit. A sandbox that
 * crashes, or whose invocation runs past the timeout, is dropped and a new one starts when next
 * needed, as Lambda resets an execution environment.
 */
export async function startLambdaHost(options: LambdaHostOptions): Promise<LambdaHost> {
  const names = Object.keys(options.functions) as FunctionName[];
  const sandboxLimit = options.sandboxesPerFunction ?? LOCAL_SANDBOXES_PER_FUNCTION;
  const pools = new Map<FunctionName, Pool>();
  const live = new Set<Sandbox>();
  const counts: Partial<Record<FunctionName, number>> = {};
  const started: Partial<Record<FunctionName, number>> = {};
  const timings: Partial<Record<FunctionName, SandboxTiming[]>> = {};
  const inits: Partial<Record<FunctionName, number>> = {};
  let nextId = 0;
  let stopped = false;

  const poolOf = (name: FunctionName): Pool => {
    let pool = pools.get(name);
    if (!pool) {
      const reserved = options.reservedConcurrency?.[name];
      pool = { idle: [], size: 0, limit: Math.min(sandboxLimit, reserved ?? Number.POSITIVE_INFINITY), inFlight: 0, waiting: [] };
      pools.set(name, pool);
    }
    return pool;
  };

  const start = async (name: FunctionName, pool: Pool): Promise<Sandbox> => {
    pool.size++;
    started[name] = (started[name] ?? 0) + 1;
    let self: Sandbox | undefined;
    try {
      self = await startSandbox({
        name,
        spec: options.functions[name]!,
        bundle: options.bundles.bundleOf(options.functions[name]!.entry),
        workerScript: options.bundles.worker,
        environment: options.environments[name] ?? {},
        settings: options.settings,
        meter: options.meter,
        onTiming: (timing) => {
          timings[name] ??= [];
          timings[name].push(timing);
        },
        onLost: (error) => {
          if (!self || !live.delete(self)) return;
          const idle = pool.idle.indexOf(self);
          if (idle >= 0) pool.idle.splice(idle, 1);
          pool.size--;
          // Whoever waits for a sandbox may now start one.
          pool.waiting.shift()?.(undefined);
          if (!stopped) options.log(`local runtime: ${name} sandbox ended: ${error.message}`);
        },
      });
    } catch (error) {
      pool.size--;
      pool.waiting.shift()?.(undefined);
      throw error;
    }
    if (stopped) {
      await self.terminate();
      throw new Error(`${name} started after the runtime stopped`);
    }
    live.add(self);
    inits[name] ??= self.initCpuMs;
    return self;
  };

  /** An idle sandbox, a new one while the pool is under its limit, or the next one released. */
  const acquire = async (name: FunctionName, pool: Pool): Promise<Sandbox> => {
    for (;;) {
      if (stopped) throw new Error(`${name} was invoked after the runtime stopped`);
      const idle = pool.idle.pop();
      if (idle) return idle;
      if (pool.size < pool.limit) return start(name, pool);
      const handed = await new Promise<Sandbox | undefined>((resolve) => pool.waiting.push(resolve));
      if (handed) return handed;
    }
  };

  const release = (pool: Pool, sandbox: Sandbox, healthy: boolean) => {
    if (healthy && live.has(sandbox)) {
      const next = pool.waiting.shift();
      if (next) next(sandbox);
      else pool.idle.push(sandbox);
      return;
    }
    if (live.delete(sandbox)) {
      pool.size--;
      void sandbox.terminate();
    }
    pool.waiting.shift()?.(undefined);
  };

  const first = await Promise.allSettled(names.map((name) => start(name, poolOf(name))));
  const stopAll = async () => {
    stopped = true;
    // Invocations waiting for a sandbox end now, not never.
    for (const pool of pools.values()) for (const waiter of pool.waiting.splice(0)) waiter(undefined);
    const all = [...live];
    live.clear();
    await Promise.allSettled(all.map((sandbox) => sandbox.terminate()));
  };
  const failed = first.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) {
    await stopAll();
    throw failed.reason;
  }
  first.forEach((result, i) => {
    if (result.status === 'fulfilled') poolOf(names[i] as FunctionName).idle.push(result.value);
  });

  return {
    async invoke<E, R>(name: FunctionName, event: E): Promise<R> {
      const spec = options.functions[name];
      if (!spec) throw new Error(`no function ${name} in this runtime`);
      const pool = poolOf(name);
      const reserved = options.reservedConcurrency?.[name];
      if (reserved !== undefined && pool.inFlight >= reserved)
        throw new FunctionThrottledError(`Rate Exceeded: ${name} is at its reserved concurrency (${reserved})`);
      counts[name] = (counts[name] ?? 0) + 1;
      pool.inFlight++;
      try {
        const sandbox = await acquire(name, pool);
        const timeoutMs = spec.timeoutSeconds * 1000;
        const running = sandbox.run(++nextId, event, Date.now() + timeoutMs);
        let timer: NodeJS.Timeout | undefined;
        let timedOut = false;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            timedOut = true;
            reject(new Error(`${name} timed out after ${spec.timeoutSeconds} s`));
          }, timeoutMs);
        });
        try {
          const value = await Promise.race([running, timeout]);
          release(pool, sandbox, true);
          return value as R;
        } catch (error) {
          // A function that threw keeps its sandbox, as on Lambda; one that timed out or crashed does not.
          release(pool, sandbox, !timedOut);
          throw error;
        } finally {
          clearTimeout(timer);
        }
      } finally {
        pool.inFlight--;
      }
    },
    invocations: () => ({ ...counts }),
    timings: () => Object.fromEntries(Object.entries(timings).map(([name, list]) => [name, [...list]])),
    initCpuMs: () => ({ ...inits }),
    sandboxesStarted: () => ({ ...started }),
    stop: stopAll,
  };
}
