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

export type FromWorker =
  | { type: 'ready' }
  | { type: 'initError'; error: WorkerError }
  | { type: 'result'; id: number; value: unknown }
  | { type: 'failure'; id: number; error: WorkerError }
  | { type: 'meter'; observation: MeterObservation };
