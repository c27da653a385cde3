import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configVariant } from '../../infra/local/config-variant';
import type { LocalRuntime } from '../../infra/local/runtime';
import { CONSENT_VERSION } from '../support/example-config';
import { renderedAt, scanTable, startTestRuntime } from '../support/local-runtime';

// edge.captureReservedConcurrency caps what a flood can cost. Locally as on AWS, an invocation past
// the cap is throttled: capture's function URL answers Lambda's 429 and capture never runs.

let runtime: LocalRuntime;
beforeAll(async () => {
  runtime = await startTestRuntime({
    configFile: configVariant((c) => {
      c.edge = { ...c.edge, captureReservedConcurrency: 1 };
    }),
    consumers: false,
    schedules: false,
    faults: { delayProxies: true },
  });
});
afterAll(() => runtime?.stop());

const submit = (email: string) =>
  fetch(new URL('/forms/newsletter/submissions', runtime.urls.capture), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, consent: ['marketing_email'], consentVersion: CONSENT_VERSION, renderedAt: renderedAt('newsletter') }),
  });
const submissionsOf = async (email: string) =>
  (await scanTable(runtime)).filter((item) => String(item.sk).startsWith('SUB#') && JSON.stringify(item).includes(email)).length;

describe("capture's reserved concurrency", () => {
  it("throttles the capture past it with the function URL's 429, storing nothing, and serves the next once the first has ended", async () => {
    // Every AWS request held 1.5 s: the first capture is still running when the second arrives.
    runtime.setRequestDelay(1500);
    const first = submit('first-of-two@engines.example');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const second = await submit('second-of-two@engines.example');
    expect(second.status).toBe(429);
    expect(second.headers.get('x-amzn-errortype')).toBe('TooManyRequestsException');
    expect(await second.json()).toEqual({ Message: 'Rate Exceeded.' });
    runtime.setRequestDelay(0);
    expect((await first).status).toBe(202);

    expect(await submissionsOf('second-of-two@engines.example')).toBe(0);
    expect((await submit('second-of-two@engines.example')).status).toBe(202);
    expect(await submissionsOf('second-of-two@engines.example')).toBe(1);
  });
});
