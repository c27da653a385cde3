import type { Clock } from '../domain/ports';

/**
 * The clock every function reads. Deployed it is the system clock. The local runtime (and only
 * it) sets an offset so that SLA and nurture timing can be tried in seconds
 * (POST /_local/clock/advance).
 */
const OFFSET = '__LEADGATE_CLOCK_OFFSET_MS__';
type WithOffset = typeof globalThis & { [OFFSET]?: number };

export const runtimeClock: Clock = {
  now: () => new Date(Date.now() + ((globalThis as WithOffset)[OFFSET] ?? 0)),
};

/** Local runtime only. */
export function advanceRuntimeClock(ms: number): void {
  (globalThis as WithOffset)[OFFSET] = ((globalThis as WithOffset)[OFFSET] ?? 0) + ms;
}
