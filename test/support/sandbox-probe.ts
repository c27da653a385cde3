/**
 * A function for the Lambda host's tests: it says which sandbox (thread) served it and how many
 * invocations that sandbox's module had in flight at once, after waiting `ms`; it can also throw,
 * or end its sandbox as a crash would, during the invocation or after it.
 */
import { threadId } from 'node:worker_threads';

let inFlight = 0;
let mostInFlight = 0;

export interface ProbeEvent {
  ms?: number;
  /** `crashAfterAnswer`: the sandbox dies 50 ms after answering, while idle. */
  fail?: 'throw' | 'crash' | 'crashAfterAnswer';
}

export const handler = async (event: ProbeEvent) => {
  if (event.fail === 'crash') process.exit(3);
  if (event.fail === 'crashAfterAnswer') setTimeout(() => process.exit(4), 50);
  inFlight++;
  mostInFlight = Math.max(mostInFlight, inFlight);
  try {
    await new Promise((resolve) => setTimeout(resolve, event.ms ?? 0));
    if (event.fail === 'throw') throw new Error('the probe was told to throw');
    return { sandbox: threadId, mostInFlight };
  } finally {
    inFlight--;
  }
};
