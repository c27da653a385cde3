import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What a running local runtime tells the CLI, in its data folder (`.leadgate/runtime.json` for
 * `npm start`): where its emulators listen and how far its clock has been moved. Written at
 * start and on every clock move, removed at stop; the CLI checks that the process still runs.
 */
export interface RuntimeState {
  pid: number;
  startedAt: string;
  /** `capture` is missing from a file an older runtime wrote. */
  urls: { api: string; capture?: string; dynamodb: string; sqs: string; ses: string };
  /** How far POST /_local/clock/advance has moved the clock the functions read. */
  clockOffsetMs: number;
}

export const RUNTIME_STATE_FILE = 'runtime.json';

export function writeRuntimeState(dataDir: string, state: RuntimeState): void {
  const file = join(dataDir, RUNTIME_STATE_FILE);
  // Whole or not at all: the CLI may read it while the runtime writes it.
  writeFileSync(`${file}.${process.pid}`, JSON.stringify(state, null, 2));
  renameSync(`${file}.${process.pid}`, file);
}

/** Removes the state file if this process wrote it (a second runtime may have started since). */
export function removeRuntimeState(dataDir: string): void {
  const found = readRuntimeState(dataDir);
  if (found.status === 'running' && found.state.pid === process.pid) rmSync(join(dataDir, RUNTIME_STATE_FILE), { force: true });
}

export type RuntimeLookup =
  | { status: 'running'; state: RuntimeState }
  | { status: 'not_running'; file: string }
  | { status: 'stale'; file: string; pid: number };

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

export function readRuntimeState(dataDir: string): RuntimeLookup {
  const file = join(dataDir, RUNTIME_STATE_FILE);
  if (!existsSync(file)) return { status: 'not_running', file };
  let state: RuntimeState;
  try {
    state = JSON.parse(readFileSync(file, 'utf8')) as RuntimeState;
  } catch {
    return { status: 'not_running', file };
  }
  return alive(state.pid) ? { status: 'running', state } : { status: 'stale', file, pid: state.pid };
}
