/**
 * One function's sandbox in the local runtime: a worker thread with only that function's
 * environment (process.env here is what infra/topology.ts derives from its bindings), its own
 * copy of every module (its bundle), the shared local clock and, for soak runs, the request meter.
 * It loads the bundle as Lambda's init would, says whether that worked, then serves invocations,
 * one at a time (the host sends the next only when this one has answered).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import type { Context } from 'aws-lambda';
import { useClientPlugin } from '../../shared/adapters/client-plugins';
import { shareRuntimeClock } from '../../shared/adapters/runtime-clock';
import { provideSettings } from '../../shared/config/settings-source';
import type { LeadgateSettings } from '../../shared/domain/core/settings';
import { awsWaitPlugin, invocationTimer, threadCpuMicros } from './invocation-timer';
import { meterPlugin, serviceOfClient } from './request-meter';
import type { FromWorker, ToWorker } from './worker-messages';

export interface FunctionWorkerData {
  name: string;
  bundle: string;
  memoryMb: number;
  settings: LeadgateSettings;
  clock: SharedArrayBuffer;
  meter: boolean;
}

const data = workerData as FunctionWorkerData;
const port = parentPort!;
const send = (message: FromWorker) => port.postMessage(message);
const serialized = (error: unknown) => {
  const e = error instanceof Error ? error : new Error(String(error));
  return { name: e.name, message: e.message, stack: e.stack ?? '' };
};

// Off, as in the stack's functions: Node would decode each bundle's map at start and map every
// stack trace (docs/operations.md, "Source maps"); the logger maps the frames of an error it logs.
process.setSourceMapsEnabled(false);
shareRuntimeClock(data.clock);
provideSettings(data.settings);
// Soak and cost runs only: the meter, and each invocation's timing (the invocation whose code is
// running is known to the SDK plugin through `invocation`, so the AWS requests it makes are its own).
const timer = data.meter ? invocationTimer() : undefined;
const invocation = new AsyncLocalStorage<number>();
if (timer) {
  useClientPlugin(meterPlugin((observation) => send({ type: 'meter', observation })));
  useClientPlugin(awsWaitPlugin(timer, () => invocation.getStore(), serviceOfClient));
}

const functionName = `leadgate-local-${data.name}`;
const context = (deadline: number): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
  memoryLimitInMB: String(data.memoryMb),
  awsRequestId: randomUUID(),
  logGroupName: `/aws/lambda/${functionName}`,
  logStreamName: 'local',
  getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

try {
  const initStarted = threadCpuMicros();
  const module = (await import(pathToFileURL(data.bundle).href)) as { handler?: (event: unknown, context: Context) => Promise<unknown> };
  const handler = module.handler;
  if (typeof handler !== 'function') throw new Error(`${data.bundle} exports no handler`);
  let served = 0;
  port.on('message', (message: ToWorker) => {
    const invoke = () => handler(message.event, context(message.deadline));
    const coldStart = served++ === 0;
    timer?.start(message.id);
    const timing = () => (timer ? { timing: { ...timer.end(message.id), coldStart } } : {});
    (timer ? invocation.run(message.id, invoke) : invoke()).then(
      (value) => send({ type: 'result', id: message.id, value, ...timing() }),
      (error: unknown) => send({ type: 'failure', id: message.id, error: serialized(error), ...timing() }),
    );
  });
  send({ type: 'ready', initCpuMs: (threadCpuMicros() - initStarted) / 1000 });
} catch (error) {
  send({ type: 'initError', error: serialized(error) });
}
