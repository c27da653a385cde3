import type { Clock } from '../domain/core/ports';

/**
 * The clock every function reads. Deployed it is the system clock. The local runtime (and only
 * it) moves an offset so that SLA and nurture timing can be tried in seconds
 * (POST /_local/clock/advance). The offset lives in shared memory: the local runtime runs each
 * function in its own worker thread and hands each the same memory (shareRuntimeClock).
 */
const OFFSET = Symbol.for('leadgate.clockOffsetMs');
type WithOffset = typeof globalThis & { [OFFSET]?: BigInt64Array };

const offset = (): BigInt64Array => ((globalThis as WithOffset)[OFFSET] ??= new BigInt64Array(new SharedArrayBuffer(8)));

export const runtimeClock: Clock = {
  now: () => new Date(Date.now() + Number(Atomics.load(offset(), 0))),
};

/** Local runtime only. */
export function advanceRuntimeClock(ms: number): void {
  Atomics.add(offset(), 0, BigInt(Math.round(ms)));
}

/** Local runtime only: how far the clock has been moved. */
export const runtimeClockOffsetMs = (): number => Number(Atomics.load(offset(), 0));

/** Local runtime only: the memory behind the offset, for the function workers. */
export const runtimeClockMemory = (): SharedArrayBuffer => offset().buffer as SharedArrayBuffer;

/** Local runtime only (in a function worker): read the offset the runtime moves. */
export function shareRuntimeClock(memory: SharedArrayBuffer): void {
  (globalThis as WithOffset)[OFFSET] = new BigInt64Array(memory);
}
