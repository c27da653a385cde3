import { Worker } from 'node:worker_threads';
import { runtimeClockMemory } from '../../shared/adapters/runtime-clock';
import type { LeadgateSettings } from '../../shared/domain/core/settings';
import type { FunctionName, FunctionSpec } from '../topology';
import type { FunctionBundles } from './function-bundles';
import type { FunctionWorkerData } from './function-worker';
import type { MeterObservation } from './request-meter';
import type { FromWorker, InvocationTiming, WorkerError } from './worker-messages';

export interface LambdaHostOptions {
  functions: Partial<Record<FunctionName, FunctionSpec>>;
  bundles: FunctionBundles;
  /** Each function's whole environment: what its bindings set, plus what Lambda itself sets. */
  environments: Partial<Record<FunctionName, Record<string, string>>>;
  settings: LeadgateSettings;
  /** Receives the request meter's observations from every function (soak and cost runs). */
  meter?: (observation: MeterObservation) => void;
  log: (line: string) => void;
}

export interface LambdaHost {
  /** Invokes a function as Lambda would: rejects when it throws or runs past its timeout. */
  invoke<E, R>(name: FunctionName, event: E): Promise<R>;
  /** Invocations so far, by function. */
  invocations(): Partial<Record<FunctionName, number>>;
  /** How long each invocation ran, by function (kept only with a meter: soak and cost runs). */
  timings(): Partial<Record<FunctionName, InvocationTiming[]>>;
  /** The CPU time each function's first sandbox spent in its init (importing its bundle). */
  initCpuMs(): Partial<Record<FunctionName, number>>;
  stop(): Promise<void>;
}

/** A function failed its init (import) the way Lambda's would: a missing binding, a bad secret. */
export class FunctionInitError extends Error {
  override name = 'FunctionInitError';
}

const revive = (error: WorkerError): Error => Object.assign(new Error(error.message), { name: error.name, stack: error.stack });

interface Sandbox {
  worker: Worker;
  pending: Map<number, { resolve(value: unknown): void; reject(error: Error): void }>;
}

/**
 * Runs each function of the topology in its own worker thread, as Lambda runs each in its own
 * sandbox: it sees only its own environment and has its own copy of every module, so a function
 * whose binding is missing fails here exactly as it would in AWS. All functions start (their init
 * runs) before the host is returned; a sandbox that crashes later is replaced on the next
 * invocation, as Lambda replaces one.
 */
export async function startLambdaHost(options: LambdaHostOptions): Promise<LambdaHost> {
  const names = Object.keys(options.functions) as FunctionName[];
  const sandboxes = new Map<FunctionName, Promise<Sandbox>>();
  const counts: Partial<Record<FunctionName, number>> = {};
  const timings: Partial<Record<FunctionName, InvocationTiming[]>> = {};
  const inits: Partial<Record<FunctionName, number>> = {};
  let nextId = 0;
  let stopped = false;

  const start = (name: FunctionName): Promise<Sandbox> => {
    const spec = options.functions[name]!;
    const workerData: FunctionWorkerData = {
      name,
      bundle: options.bundles.bundleOf(spec.entry),
      memoryMb: spec.memoryMb,
      settings: options.settings,
      clock: runtimeClockMemory(),
      meter: options.meter !== undefined,
    };
    const worker = new Worker(options.bundles.worker, {
      workerData,
      // Lambda starts Node with no flags of ours. A sandbox inheriting this process's (tsx's
      // loader, under `npm start`) would load its plain JavaScript bundle through that loader:
      // code Lambda could not load would load here, and npm start was ready in 12.6 s, not 2.6 s.
      execArgv: [],
      env: options.environments[name] ?? {},
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: spec.memoryMb },
    });
    // Function logs go where the runtime's own output goes, line for line as Lambda would ship them.
    worker.stdout.on('data', (chunk: Buffer) => process.stdout.write(chunk));
    worker.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    worker.unref();
    const sandbox: Sandbox = { worker, pending: new Map() };
    let self: Promise<Sandbox> | undefined;
    const ready = new Promise<Sandbox>((resolve, reject) => {
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'ready') {
          inits[name] ??= message.initCpuMs;
          resolve(sandbox);
        } else if (message.type === 'initError') reject(new FunctionInitError(`${name} failed to start: ${message.error.message}`));
        else if (message.type === 'meter') options.meter?.(message.observation);
        else {
          if (message.timing) {
            timings[name] ??= [];
            timings[name].push(message.timing);
          }
          const call = sandbox.pending.get(message.id);
          sandbox.pending.delete(message.id);
          if (message.type === 'result') call?.resolve(message.value);
          else call?.reject(revive(message.error));
        }
      });
      const lost = (error: Error) => {
        reject(new FunctionInitError(`${name} failed to start: ${error.message}`));
        for (const call of sandbox.pending.values()) call.reject(error);
        sandbox.pending.clear();
        if (self && sandboxes.get(name) === self) sandboxes.delete(name);
        if (!stopped) options.log(`local runtime: ${name} sandbox ended: ${error.message}`);
      };
      worker.on('error', lost);
      worker.on('exit', (code) => lost(new Error(`${name} exited with code ${code}`)));
    });
    self = ready.catch(async (error: unknown) => {
      await worker.terminate();
      throw error;
    });
    return self;
  };
  const sandboxOf = (name: FunctionName): Promise<Sandbox> => {
    let sandbox = sandboxes.get(name);
    if (!sandbox) {
      sandbox = start(name);
      sandboxes.set(name, sandbox);
    }
    return sandbox;
  };

  const started = await Promise.allSettled(names.map(sandboxOf));
  const failed = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) {
    stopped = true;
    await Promise.allSettled([...sandboxes.values()].map(async (s) => (await s).worker.terminate()));
    throw failed.reason;
  }

  return {
    async invoke<E, R>(name: FunctionName, event: E): Promise<R> {
      const spec = options.functions[name];
      if (!spec) throw new Error(`no function ${name} in this runtime`);
      counts[name] = (counts[name] ?? 0) + 1;
      const sandbox = await sandboxOf(name);
      const id = ++nextId;
      const timeoutMs = spec.timeoutSeconds * 1000;
      return new Promise<R>((resolve, reject) => {
        const timer = setTimeout(() => {
          sandbox.pending.delete(id);
          reject(new Error(`${name} timed out after ${spec.timeoutSeconds} s`));
        }, timeoutMs);
        sandbox.pending.set(id, {
          resolve: (value) => {
            clearTimeout(timer);
            resolve(value as R);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
        sandbox.worker.postMessage({ id, event, deadline: Date.now() + timeoutMs });
      });
    },
    invocations: () => ({ ...counts }),
    timings: () => Object.fromEntries(Object.entries(timings).map(([name, list]) => [name, [...list]])),
    initCpuMs: () => ({ ...inits }),
    async stop() {
      stopped = true;
      await Promise.allSettled([...sandboxes.values()].map(async (s) => (await s).worker.terminate()));
      sandboxes.clear();
    },
  };
}
