import { afterAll, describe, expect, it } from 'vitest';
import { functionBundles } from '../../infra/local/function-bundles';
import { FunctionThrottledError, type LambdaHost, type LambdaHostOptions, startLambdaHost } from '../../infra/local/lambda-host';
import type { FunctionSpec } from '../../infra/topology';
import { loadConfigFile } from '../../shared/config/load';
import type { ProbeEvent } from '../support/sandbox-probe';

// Lambda gives each concurrent invocation an execution environment of its own, so code that keeps
// state in a module never sees two invocations at once there; the local host must hold it to the
// same, or code that only works in one shared thread would pass here and fail in AWS.

const entry = 'test/support/sandbox-probe.ts';
const probe: FunctionSpec = {
  entry,
  description: 'probe',
  memoryMb: 128,
  timeoutSeconds: 1,
  access: { table: 'none', sendsTo: [], publishesTo: [], secrets: [], sendsEmail: false },
};
type Answer = { sandbox: number; mostInFlight: number };

const hosts: LambdaHost[] = [];
const start = async (options: Partial<LambdaHostOptions> = {}) => {
  const host = await startLambdaHost({
    functions: { forms: probe },
    bundles: await functionBundles([entry]),
    environments: { forms: {} },
    settings: loadConfigFile('leadgate.config.yaml'),
    log: () => undefined,
    ...options,
  });
  hosts.push(host);
  return host;
};
afterAll(() => Promise.all(hosts.map((host) => host.stop())));

const invoke = (host: LambdaHost, event: ProbeEvent) => host.invoke<ProbeEvent, Answer>('forms', event);
const sandboxes = (answers: Answer[]) => new Set(answers.map((answer) => answer.sandbox)).size;

describe('the local Lambda host', () => {
  it('serves concurrent invocations in sandboxes of their own, one invocation at a time in each', async () => {
    const host = await start({ sandboxesPerFunction: 4 });
    const answers = await Promise.all(Array.from({ length: 4 }, () => invoke(host, { ms: 300 })));
    expect(sandboxes(answers)).toBe(4);
    expect(answers.every((answer) => answer.mostInFlight === 1)).toBe(true);
    expect(host.sandboxesStarted()).toEqual({ forms: 4 });
    // Warm sandboxes are used again: a second wave starts none.
    await Promise.all(Array.from({ length: 4 }, () => invoke(host, { ms: 50 })));
    expect(host.sandboxesStarted()).toEqual({ forms: 4 });
  });

  it('holds invocations past its limit of sandboxes until one comes free, and loses none', async () => {
    const host = await start({ sandboxesPerFunction: 2 });
    const answers = await Promise.all(Array.from({ length: 7 }, () => invoke(host, { ms: 100 })));
    expect(answers).toHaveLength(7);
    expect(sandboxes(answers)).toBe(2);
    expect(answers.every((answer) => answer.mostInFlight === 1)).toBe(true);
    expect(host.invocations()).toEqual({ forms: 7 });
  });

  it('throttles an invocation past the reserved concurrency, as Lambda does, and serves the next once one has ended', async () => {
    const host = await start({ reservedConcurrency: { forms: 2 } });
    const results = await Promise.allSettled(Array.from({ length: 3 }, () => invoke(host, { ms: 300 })));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(2);
    const refused = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    expect(refused?.reason).toBeInstanceOf(FunctionThrottledError);
    expect(host.invocations()).toEqual({ forms: 2 });
    await expect(invoke(host, {})).resolves.toMatchObject({ mostInFlight: 1 });
  });

  it('keeps the sandbox of a function that threw, and replaces one that crashed or ran past its timeout', async () => {
    const host = await start({ sandboxesPerFunction: 1 });
    const { sandbox } = await invoke(host, {});
    await expect(invoke(host, { fail: 'throw' })).rejects.toThrow('the probe was told to throw');
    expect((await invoke(host, {})).sandbox).toBe(sandbox);

    await expect(invoke(host, { ms: 1500 })).rejects.toThrow('forms timed out after 1 s');
    const afterTimeout = await invoke(host, {});
    expect(afterTimeout.sandbox).not.toBe(sandbox);

    await expect(invoke(host, { fail: 'crash' })).rejects.toThrow('exited with code 3');
    const afterCrash = await invoke(host, {});
    expect(afterCrash.sandbox).not.toBe(afterTimeout.sandbox);
    expect(host.sandboxesStarted()).toEqual({ forms: 3 });
  });

  it('replaces a sandbox that dies while idle, freeing its place under the limit', async () => {
    const host = await start({ sandboxesPerFunction: 1 });
    const { sandbox } = await invoke(host, { fail: 'crashAfterAnswer' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    // With its place not given back, this would wait for a sandbox forever.
    expect((await invoke(host, {})).sandbox).not.toBe(sandbox);
    expect(host.sandboxesStarted()).toEqual({ forms: 2 });
  });

  it("marks each sandbox's first invocation as its cold start in the timings", async () => {
    const host = await start({ sandboxesPerFunction: 2, meter: () => undefined });
    await Promise.all([invoke(host, { ms: 200 }), invoke(host, { ms: 200 })]);
    await invoke(host, {});
    const timings = host.timings().forms ?? [];
    expect(timings.map((timing) => timing.coldStart).sort()).toEqual([false, true, true]);
  });

  it('ends the invocations still waiting for a sandbox when it stops, instead of leaving them pending', async () => {
    const host = await start({ sandboxesPerFunction: 1 });
    const running = invoke(host, { ms: 500 });
    const waiting = invoke(host, {});
    // Both end while the host stops: their handlers are attached first.
    const waitingEnds = expect(waiting).rejects.toThrow('forms was invoked after the runtime stopped');
    const runningEnds = expect(running).rejects.toThrow('forms exited');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await host.stop();
    await waitingEnds;
    await runningEnds;
  });
});
