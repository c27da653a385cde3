import type { ClientPlugin } from '../../shared/adapters/client-plugins';
import type { InvocationTiming } from './worker-messages';

/** The thread's CPU time so far, in microseconds (user and system). */
export const threadCpuMicros = () => {
  const usage = process.threadCpuUsage();
  return usage.user + usage.system;
};

interface Running {
  startedAt: number;
  cpuMs: number;
  aws: (string | number)[];
  sent: number;
}

export type InvocationTimer = ReturnType<typeof invocationTimer>;

/**
 * Times the invocations of one sandbox: wall time from start to end; the thread's CPU time, each
 * stretch of which is shared equally among the invocations in flight during it; and the order in
 * which the AWS requests each made left and were answered (what waited on what, for the cost
 * model's round trips). The host gives a sandbox one invocation at a time, as Lambda does, so the
 * share is whole unless that changes; CPU spent while none is in flight is no invocation's (Lambda
 * freezes an idle sandbox).
 */
export function invocationTimer(cpuMicros: () => number = threadCpuMicros, now: () => number = () => performance.now()) {
  const inFlight = new Map<number, Running>();
  let cpuSoFar = cpuMicros();
  const share = () => {
    const cpu = cpuMicros();
    const each = (cpu - cpuSoFar) / 1000 / Math.max(1, inFlight.size);
    cpuSoFar = cpu;
    for (const running of inFlight.values()) running.cpuMs += each;
  };
  return {
    start(id: number): void {
      share();
      inFlight.set(id, { startedAt: now(), cpuMs: 0, aws: [], sent: 0 });
    },
    /** A request to `service` leaves on behalf of invocation `id`: returns its number within the invocation (undefined once the invocation has ended). */
    requestSent(id: number, service: string): number | undefined {
      const running = inFlight.get(id);
      if (!running) return undefined;
      running.aws.push(service);
      return running.sent++;
    },
    requestAnswered(id: number, request: number): void {
      inFlight.get(id)?.aws.push(request);
    },
    end(id: number): InvocationTiming {
      share();
      const running = inFlight.get(id);
      inFlight.delete(id);
      if (!running) throw new Error(`invocation ${id} was not started`);
      return { wallMs: now() - running.startedAt, cpuMs: running.cpuMs, aws: running.aws };
    },
  };
}

/** An SDK plugin telling the timer when each request attempt of the current invocation (`current()`) leaves and is answered. */
export function awsWaitPlugin(timer: InvocationTimer, current: () => number | undefined, serviceOf: (clientName: string) => string): ClientPlugin {
  return {
    applyToStack(stack) {
      stack.add(
        (next, context) => async (args) => {
          const id = current();
          const request = id === undefined ? undefined : timer.requestSent(id, serviceOf(String(context.clientName)));
          if (id === undefined || request === undefined) return next(args);
          try {
            return await next(args);
          } finally {
            timer.requestAnswered(id, request);
          }
        },
        // Inside the retry loop: each attempt is a round trip.
        { step: 'deserialize', name: 'leadgateAwsWait' },
      );
    },
  };
}
