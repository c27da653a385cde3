import { Worker } from 'node:worker_threads';
import { runtimeClockMemory } from '../../shared/adapters/runtime-clock';
import type { LeadgateSettings } from '../../shared/domain/core/settings';
import type { FunctionName, FunctionSpec } from '../topology';
import type { FunctionWorkerData } from './function-worker';
import type { MeterObservation } from './request-meter';
import type { FromWorker, SandboxTiming, WorkerError } from './worker-messages';

/** A function failed its init (import) the way Lambda's would: a missing binding, a bad secret. */
export class FunctionInitError extends Error {
  override name = 'FunctionInitError';
}

export interface SandboxOptions {
  name: FunctionName;
  spec: FunctionSpec;
  /** The function's bundle and the worker script that loads it (function-bundles.ts). */
  bundle: string;
  workerScript: string;
  environment: Record<string, string>;
  settings: LeadgateSettings;
  meter?: ((observation: MeterObservation) => void) | undefined;
  onTiming(timing: SandboxTiming): void;
  /** The worker ended while it was not being stopped (a crash, an exit of its own). */
  onLost(error: Error): void;
}

/** One execution environment: a worker thread that serves one invocation at a time, as Lambda's do. */
export interface Sandbox {
  /** The CPU time its init (the import of its bundle) took. */
  initCpuMs: number;
  /** Runs one invocation; rejects when the function throws or the sandbox ends meanwhile. */
  run(id: number, event: unknown, deadline: number): Promise<unknown>;
  terminate(): Promise<void>;
}

const revive = (error: WorkerError): Error => Object.assign(new Error(error.message), { name: error.name, stack: error.stack });

/** Starts a sandbox and runs its init; rejects with FunctionInitError when the init fails. */
export function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const { name, spec } = options;
  const workerData: FunctionWorkerData = {
    name,
    bundle: options.bundle,
    memoryMb: spec.memoryMb,
    settings: options.settings,
    clock: runtimeClockMemory(),
    meter: options.meter !== undefined,
  };
  const worker = new Worker(options.workerScript, {
    workerData,
    // Lambda starts Node with no flags of ours. A sandbox inheriting this process's (tsx's
    // loader, under `npm start`) would load its plain JavaScript bundle through that loader:
    // code Lambda could not load would load here, and npm start was ready in 12.6 s, not 2.6 s.
    execArgv: [],
    env: options.environment,
    stdout: true,
    stderr: true,
    resourceLimits: { maxOldGenerationSizeMb: spec.memoryMb },
  });
  // Function logs go where the runtime's own output goes, line for line as Lambda would ship them.
  worker.stdout.on('data', (chunk: Buffer) => process.stdout.write(chunk));
  worker.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  worker.unref();
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let terminating = false;
  let initialized = false;
  const terminate = async () => {
    terminating = true;
    await worker.terminate();
  };
  return new Promise<Sandbox>((resolve, reject) => {
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'ready') {
        initialized = true;
        resolve({
          initCpuMs: message.initCpuMs,
          run: (id, event, deadline) =>
            new Promise((resolveRun, rejectRun) => {
              pending.set(id, { resolve: resolveRun, reject: rejectRun });
              worker.postMessage({ id, event, deadline });
            }),
          terminate,
        });
      } else if (message.type === 'initError') {
        reject(new FunctionInitError(`${name} failed to start: ${message.error.message}`));
        void terminate();
      } else if (message.type === 'meter') options.meter?.(message.observation);
      else {
        if (message.timing) options.onTiming(message.timing);
        const call = pending.get(message.id);
        pending.delete(message.id);
        if (message.type === 'result') call?.resolve(message.value);
        else call?.reject(revive(message.error));
      }
    });
    let ended = false;
    const lost = (error: Error) => {
      if (ended) return;
      ended = true;
      if (!initialized) reject(new FunctionInitError(`${name} failed to start: ${error.message}`));
      for (const call of pending.values()) call.reject(error);
      pending.clear();
      if (!terminating) options.onLost(error);
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`${name} exited with code ${code}`)));
  });
}
