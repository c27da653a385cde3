import type { MeterObservation } from './request-meter';

/** What the local runtime and a function worker say to each other (plain data: it crosses threads). */
export interface ToWorker {
  id: number;
  event: unknown;
  /** Epoch milliseconds by which the function must answer (its timeout). */
  deadline: number;
}

export interface WorkerError {
  name: string;
  message: string;
  stack: string;
}

/**
 * How one invocation ran in its sandbox (timed in soak and cost runs only, with the meter): from
 * the event's arrival to the answer; the thread's CPU time over that span; and its AWS request
 * attempts in order: a service's name when one left (numbered from 0 in that order), a number when
 * that request was answered.
 */
export interface InvocationTiming {
  wallMs: number;
  cpuMs: number;
  aws: (string | number)[];
}

/** An invocation's timing as its sandbox reports it: also whether it was the sandbox's first (Lambda reports an init duration with it). */
export interface SandboxTiming extends InvocationTiming {
  coldStart: boolean;
}

export type FromWorker =
  /** Init done; `initCpuMs`: the thread's CPU time spent importing the bundle (Lambda's init, without the thread's own start). */
  | { type: 'ready'; initCpuMs: number }
  | { type: 'initError'; error: WorkerError }
  | { type: 'result'; id: number; value: unknown; timing?: SandboxTiming }
  | { type: 'failure'; id: number; error: WorkerError; timing?: SandboxTiming }
  | { type: 'meter'; observation: MeterObservation };
