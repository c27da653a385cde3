import type { ClientPlugin } from '../../shared/adapters/client-plugins';
import type { InvocationTiming } from './worker-messages';

/** The thread's CPU time so far, in microseconds (user and system). */
export const threadCpuMicros = () => {
  const usage = process.threadCpuUsage();
  return usage.user + usage.system;
};

interface Running {
  startedAt: number;
  cpuAtStart: number;
  aws: (string | number)[];
  sent: number;
}

export type InvocationTimer = ReturnType<typeof invocationTimer>;

/**
 * Times the invocations of one sandbox: wall time from start to end; the thread's CPU time over
 * that span (the host gives a sandbox one invocation at a time, as Lambda does, so all of it is
 * that invocation's, and CPU spent between invocations is none's: Lambda freezes an idle
 * sandbox); and the order in which the AWS requests it made left and were answered (what waited
 * on what, for the cost model's round trips).
 */
export function invocationTimer(cpuMicros: () => number = threadCpuMicros, now: () => number = () => performance.now()) {
  const inFlight = new Map<number, Running>();
  return {
    start(id: number): void {
      inFlight.set(id, { startedAt: now(), cpuAtStart: cpuMicros(), aws: [], sent: 0 });
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
      const running = inFlight.get(id);
      inFlight.delete(id);
      if (!running) throw new Error(`invocation ${id} was not started`);
      return { wallMs: now() - running.startedAt, cpuMs: (cpuMicros() - running.cpuAtStart) / 1000, aws: running.aws };
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
