import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { configVariant, manyPeopleOneClient } from '../infra/local/config-variant';
import { postJsonFrom } from '../infra/local/post-from';
import { startLocalRuntime } from '../infra/local/runtime';
import type { FunctionName } from '../infra/topology';
import type { SandboxTiming } from '../infra/local/worker-messages';
import { SECRET_VARIABLES } from '../shared/config/function-env';
import { createKeyring } from '../shared/domain/core/keyring';
import { renderToken } from '../shared/domain/core/links';
import { startFloor } from './floor-host';
import { drained, submission } from './soak';

/** One function's sandbox CPU: its init, its first invocation and a warm one (p50 of the rest). */
export interface FirstInvocation {
  initCpuMs: number;
  firstCpuMs: number;
  laterCpuMs: number;
  invocations: number;
  /** What the first invocation costs beyond a warm one: work left to the first message. */
  extraMs: number;
}

/** Leads sent, one at a time: enough for every pipeline function to run more than once. */
export const FIRST_INVOCATION_LEADS = 8;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

const summary = (initCpuMs: number, timings: SandboxTiming[]): FirstInvocation => {
  // The first sandbox's first invocation; a sandbox started later (invocations overlapped) is not a warm one.
  const first = timings.find((timing) => timing.coldStart)?.cpuMs ?? NaN;
  const later = median(timings.filter((timing) => !timing.coldStart).map((timing) => timing.cpuMs));
  return { initCpuMs, firstCpuMs: first, laterCpuMs: later, invocations: timings.length, extraMs: first - later };
};

/**
 * The import-only cold-start figure cannot see work a function leaves to its first message (a
 * file read on first use, a schema built when first needed, the SDK's first request). This runs
 * leads one at a time through the whole local pipeline, with the schedules after each, and times
 * every sandbox's CPU: its init, its first invocation, and its later ones. The floor function
 * (only a bare put and send) is the baseline: its first invocation's extra is what the SDK's
 * first requests cost any function.
 */
export async function firstInvocations(
  leads = FIRST_INVOCATION_LEADS,
): Promise<{ functions: Partial<Record<FunctionName, FirstInvocation>>; floor: FirstInvocation }> {
  const configFile = configVariant((c) => {
    manyPeopleOneClient(c);
    c.screening.minSecondsToSubmit = 0;
  });
  const runtime = await startLocalRuntime({
    ports: { api: 0, dynamodb: 0, sqs: 0, ses: 0, destinations: 0 },
    configFile,
    schedules: false,
    faults: { countRequests: true },
    log: () => undefined,
  });
  // The floor's messages go to a queue of their own: the routing consumer runs here, and would take them.
  const floorQueue = await runtime.sqs.send(new CreateQueueCommand({ QueueName: 'bench-floor' })).catch(async (error) => {
    await runtime.stop();
    throw error;
  });
  const queueUrl = new URL(new URL(floorQueue.QueueUrl as string).pathname, runtime.functionEndpoints.sqs).href;
  const floor = await startFloor(runtime, queueUrl, { metered: true }).catch(async (error) => {
    await runtime.stop();
    throw error;
  });
  try {
    const version = runtime.config.purposes.marketing_email!.consentText.version;
    const from = '127.0.2.1';
    // Render tokens made here, as the hosted form's would be: every capture invocation is then a post.
    const keyring = createKeyring(process.env[SECRET_VARIABLES.hmac.value] as string);
    for (let i = 0; i < leads; i++) {
      const { form, body } = submission(i);
      const renderedAt = renderToken(keyring, form, new Date(Date.now() - 5000));
      const captured = await postJsonFrom(new URL(`/forms/${form}/submissions`, runtime.urls.capture), from, { ...body, consentVersion: version, renderedAt });
      if (captured.status !== 202) throw new Error(`capture answered ${captured.status}: ${captured.text}`);
      await drained(runtime, 60_000);
      await runtime.runSchedules();
      await drained(runtime, 60_000);
      const atFloor = await postJsonFrom(new URL('/forms/newsletter/submissions', floor.url), from, { email: `floor${i}@engines.example` });
      if (atFloor.status !== 202) throw new Error(`the floor function answered ${atFloor.status}`);
    }
    const inits = runtime.initCpuMs();
    const functions: Partial<Record<FunctionName, FirstInvocation>> = {};
    for (const [name, timings] of Object.entries(runtime.invocationTimings()) as [FunctionName, SandboxTiming[]][]) {
      if (timings.some((timing) => !timing.coldStart)) functions[name] = summary(inits[name] ?? NaN, timings);
    }
    return { functions, floor: summary(floor.host.initCpuMs().capture ?? NaN, floor.host.timings().capture ?? []) };
  } finally {
    await floor.stop();
    await runtime.stop();
  }
}
