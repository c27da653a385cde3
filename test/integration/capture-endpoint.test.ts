import { get } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../infra/local/runtime';
import { MAX_BODY_BYTES } from '../../shared/http/form-body';
import { ROUTING_GRACE_MS } from '../../shared/domain/core/due-times';
import { CONSENT_VERSION } from '../support/example-config';
import { drainQueue, post, renderedAt, scanTable, startTestRuntime } from '../support/local-runtime';
import { EMBED_SCRIPT } from '../../shared/http/embed-script';

const DAY = 86_400;
let runtime: LocalRuntime;
let routingQueue: string;

beforeAll(async () => {
  // Consumers off: these tests read the routing queue themselves.
  runtime = await startTestRuntime({ consumers: false });
  routingQueue = runtime.queues.routing.url;
});
afterAll(() => runtime?.stop());
beforeEach(() => drainQueue(runtime, routingQueue));

/** What capture stores: the submission, in the person's partition, apart from the lead (which the routing consumer writes). */
const submissionItems = async (email: string) =>
  (await scanTable(runtime)).filter((item) => item.itemType === 'submission' && (item.submission as { email?: string })?.email === email);

/** Asserts a request changed nothing: same table, empty queue. */
async function expectNoChange(request: () => Promise<Response>): Promise<Response> {
  const before = await scanTable(runtime);
  const response = await request();
  expect(await scanTable(runtime)).toEqual(before);
  expect(await drainQueue(runtime, routingQueue)).toEqual([]);
  return response;
}

const contactLead = (email: string, extra: object = {}) => ({
  email,
  firstName: 'Ada',
  company: 'Analytical Engines',
  country: 'gb',
  consent: ['sales_contact'],
  consentVersion: CONSENT_VERSION,
  ...extra,
});

describe('POST /forms/{formId}/submissions', () => {
  it('202: stores the minimized submission with its screening, apart from any lead, and enqueues a routing message', async () => {
    const before = Math.floor(Date.now() / 1000);
    const response = await post(runtime, '/forms/contact/submissions', contactLead('ada@example.com', { shoeSize: '9' }), {
      'sec-gpc': '1',
      'x-forwarded-for': '203.0.113.7',
    });
    expect(response.status).toBe(202);
    const body = (await response.json()) as { submissionId: string; status: string; consentReceipts: { decision: string; purpose: string }[] };
    expect(body).toMatchObject({ submissionId: expect.stringMatching(/^sub_/), status: 'accepted' });
    // The receipts say what this post asked for, from the request alone.
    expect(body.consentReceipts.map((r) => [r.decision, r.purpose]).sort()).toEqual([
      ['consent.declined', 'marketing_email'],
      ['consent.granted', 'sales_contact'],
    ]);

    const [stored, ...others] = await submissionItems('ada@example.com');
    expect(others).toEqual([]);
    expect(stored).toMatchObject({
      pk: expect.stringMatching(/^LEAD#[0-9a-f]{64}$/),
      // Keyed by its claim, which its id names: a retry finds it.
      sk: `SUB#${body.submissionId.slice(4, 36)}`,
      state: 'pending',
      formId: 'contact',
      submission: {
        fields: { email: 'ada@example.com', firstName: 'Ada', company: 'Analytical Engines', country: 'GB' },
        grantedPurposes: ['sales_contact'],
        gpc: true,
        screening: [],
      },
    });
    expect(stored!.expiresAt).toBeGreaterThanOrEqual(before + 180 * DAY);
    expect(stored!.expiresAt).toBeLessThanOrEqual(before + 180 * DAY + 60);
    // Nothing reaches the lead until the routing consumer screens and merges the submission.
    expect((await scanTable(runtime)).filter((item) => item.pk === stored!.pk && item.sk !== stored!.sk)).toEqual([]);
    const table = JSON.stringify(await scanTable(runtime));
    expect(table).not.toContain('shoeSize');
    expect(table).not.toContain('203.0.113.7');
    expect(table).not.toContain('127.0.0.1');

    const messages = await drainQueue(runtime, routingQueue);
    expect(messages).toEqual([
      expect.objectContaining({ type: 'lead.captured', leadId: String(stored!.pk).slice(5), submissionId: body.submissionId, formId: 'contact' }),
    ]);
    expect(JSON.stringify(messages)).not.toContain('ada@');
  });

  it('303: a browser form post (urlencoded, Accept text/html) is sent to the success URL', async () => {
    const form = new URLSearchParams([
      ['email', 'grace@example.com'],
      ['consent', 'sales_contact'],
      ['consent', 'marketing_email'],
      ['consentVersion', CONSENT_VERSION],
      ['website', ''],
    ]);
    const response = await post(runtime, '/forms/contact/submissions', form.toString(), {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('https://example.com/thanks');
    const [stored] = await submissionItems('grace@example.com');
    expect((stored!.submission as { grantedPurposes: string[] }).grantedPurposes).toEqual(['marketing_email', 'sales_contact']);
    expect(await drainQueue(runtime, routingQueue)).toHaveLength(1);
  });

  it('400 validation_failed: names each bad field and writes nothing', async () => {
    const response = await expectNoChange(() => post(runtime, '/forms/contact/submissions', { email: 'not-an-email', country: 'Narnia', phone: 'x' }));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: {
        code: 'validation_failed',
        message: expect.any(String),
        fields: { email: expect.any(String), country: expect.any(String), phone: expect.any(String) },
      },
    });
  });

  it('400 validation_failed: a stale consent text version is refused', async () => {
    const response = await expectNoChange(() =>
      post(runtime, '/forms/contact/submissions', contactLead('stale@example.com', { consentVersion: '2019-01-01' })),
    );
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { fields: Record<string, string> } };
    expect(error.fields.consentVersion).toMatch(/not the current consent text version/);
  });

  it('400 validation_failed for a browser: the form again, with the input kept and the errors by the fields', async () => {
    const response = await expectNoChange(() =>
      post(runtime, '/forms/contact/submissions', 'email=%3Cscript%3E&firstName=Ada&consent=sales_contact', {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'text/html',
      }),
    );
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain('id="lg-email" name="email" type="email" value="&lt;script&gt;"');
    expect(html).toContain('aria-describedby="lg-email-error" aria-invalid="true"');
    expect(html).toMatch(/id="lg-email-error">must be an email address/);
    expect(html).toContain('value="Ada"');
    expect(html).toMatch(/value="sales_contact" checked/);
    // The one script element is the page's own (allowed by its hash); the posted one is text.
    expect(
      html
        .split('<script>')
        .slice(1)
        .map((rest) => rest.slice(0, rest.indexOf('</script>'))),
    ).toEqual([EMBED_SCRIPT]);
  });

  it('400 malformed_body: invalid JSON, or JSON that is not an object', async () => {
    for (const body of ['{"email":', '["a@example.com"]']) {
      const response = await expectNoChange(() => post(runtime, '/forms/contact/submissions', body, { 'content-type': 'application/json' }));
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('malformed_body');
    }
  });

  it('404 form_not_found for an unknown form; the gateway 404 for an unknown route', async () => {
    const response = await expectNoChange(() => post(runtime, '/forms/nope/submissions', contactLead('x@example.com')));
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('form_not_found');
    const unknown = await fetch(`${runtime.urls.api}/nowhere`);
    expect(unknown.status).toBe(404);
  });

  it('413 payload_too_large above 16 KiB', async () => {
    const response = await expectNoChange(() =>
      post(runtime, '/forms/contact/submissions', contactLead('big@example.com', { message: 'x'.repeat(MAX_BODY_BYTES) })),
    );
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
  });

  it('415 unsupported_media_type for anything but JSON or urlencoded', async () => {
    for (const type of ['text/plain', 'multipart/form-data; boundary=x', 'application/json; charset=latin1']) {
      const response = await expectNoChange(() => post(runtime, '/forms/contact/submissions', 'email=a@example.com', { 'content-type': type }));
      expect(response.status).toBe(415);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unsupported_media_type');
    }
    const missing = await expectNoChange(() => fetch(`${runtime.urls.api}/forms/contact/submissions`, { method: 'POST', body: new Uint8Array([1, 2]) }));
    expect(missing.status).toBe(415);
  });

  it('a filled honeypot gets the usual answer and stores nothing of it: it only counts as rejected', async () => {
    const apartFromCounters = async () => (await scanTable(runtime)).filter((item) => !String(item.pk).startsWith('INSIGHT#'));
    const rejected = async () =>
      (await scanTable(runtime)).filter((item) => String(item.pk).startsWith('INSIGHT#funnel#')).reduce((n, item) => n + Number(item.n_rejected ?? 0), 0);
    const [before, rejectedBefore] = [await apartFromCounters(), await rejected()];
    const response = await post(runtime, '/forms/contact/submissions', contactLead('bot@example.com', { website: 'http://spam.example' }));
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ submissionId: expect.stringMatching(/^sub_/), status: 'accepted' });
    expect(await apartFromCounters()).toEqual(before);
    expect(await drainQueue(runtime, routingQueue)).toEqual([]);
    expect(await rejected()).toBe(rejectedBefore + 1);
    expect(JSON.stringify(await scanTable(runtime))).not.toContain('bot@example.com');
  });

  it('a retry with the same Idempotency-Key returns the first submissionId and writes and enqueues nothing new', async () => {
    // A retry is the same request again: the same body, with the same render token.
    const lead = { ...contactLead('retry@example.com'), renderedAt: renderedAt('contact') };
    const first = await post(runtime, '/forms/contact/submissions', lead, { 'idempotency-key': 'attempt-42' });
    const { submissionId } = (await first.json()) as { submissionId: string };
    await drainQueue(runtime, routingQueue);
    const before = await scanTable(runtime);

    const again = await post(runtime, '/forms/contact/submissions', lead, { 'idempotency-key': 'attempt-42' });
    expect(again.status).toBe(202);
    expect(await again.json()).toMatchObject({ submissionId, status: 'accepted' });
    expect(await scanTable(runtime)).toEqual(before);
    expect(await drainQueue(runtime, routingQueue)).toEqual([]);

    const reused = await post(runtime, '/forms/contact/submissions', { ...lead, company: 'Other' }, { 'idempotency-key': 'attempt-42' });
    expect(reused.status).toBe(422);
    expect(((await reused.json()) as { error: { code: string } }).error.code).toBe('idempotency_key_reused');

    const badKey = await post(runtime, '/forms/contact/submissions', lead, { 'idempotency-key': 'spaces are not allowed' });
    expect(badKey.status).toBe(400);
  });

  it('a retry after a failure (?retry=failure) promises a submission still pending: into the routing sweep, sending nothing', async () => {
    const lead = { ...contactLead('after-failure@example.com'), renderedAt: renderedAt('contact') };
    const first = await post(runtime, '/forms/contact/submissions', lead, { 'idempotency-key': 'after-failure-1' });
    const { submissionId } = (await first.json()) as { submissionId: string };
    // Its message taken away, as if the first request's sandbox had died before sending it.
    await drainQueue(runtime, routingQueue);
    // A retry that saw no failure leaves the promise to the first request, which may still be running.
    expect((await expectNoChange(() => post(runtime, '/forms/contact/submissions', lead, { 'idempotency-key': 'after-failure-1' }))).status).toBe(202);
    const marked = await post(runtime, '/forms/contact/submissions?retry=failure', lead, { 'idempotency-key': 'after-failure-1' });
    expect(marked.status).toBe(202);
    expect(((await marked.json()) as { submissionId: string }).submissionId).toBe(submissionId);
    expect(await drainQueue(runtime, routingQueue)).toEqual([]);
    const [stored] = await submissionItems('after-failure@example.com');
    expect(stored).toMatchObject({ submissionId, state: 'pending', routingPartition: 'ROUTING' });
  });

  it('400 validation_failed for a retry parameter other than failure, and nothing changes', async () => {
    const response = await expectNoChange(() => post(runtime, '/forms/contact/submissions?retry=maybe', contactLead('bad-retry@example.com')));
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: object }).error).toMatchObject({ code: 'validation_failed', fields: { retry: expect.any(String) } });
  });

  it('the same form, email and fields within 10 minutes is the same submission, without a key', async () => {
    const lead = contactLead('double-click@example.com');
    const first = (await (await post(runtime, '/forms/contact/submissions', lead)).json()) as { submissionId: string };
    const second = (await (await post(runtime, '/forms/contact/submissions', lead)).json()) as { submissionId: string };
    expect(second.submissionId).toBe(first.submissionId);
    expect(await drainQueue(runtime, routingQueue)).toHaveLength(1);
    expect(await submissionItems('double-click@example.com')).toHaveLength(1);
  });

  it('a second submission from the same person is stored beside the first, in the same partition', async () => {
    await post(runtime, '/forms/contact/submissions', contactLead('repeat@example.com', { consent: ['marketing_email'] }));
    await post(runtime, '/forms/contact/submissions', contactLead('Repeat@Example.com', { consent: [], jobTitle: 'CTO' }));
    const stored = await submissionItems('repeat@example.com');
    expect(stored).toHaveLength(2);
    expect(new Set(stored.map((item) => item.pk)).size).toBe(1);
    expect(await drainQueue(runtime, routingQueue)).toHaveLength(2);
  });

  it('202 when the routing queue is unreachable: the write promised routing, the sweep sends it, and a retry changes nothing', async () => {
    const lead = contactLead('outage@example.com');
    await runtime.stopSqs();
    let outage: Response;
    try {
      outage = await post(runtime, '/forms/contact/submissions', lead, { 'idempotency-key': 'outage-1' });
    } finally {
      await runtime.startSqs();
    }
    expect(outage.status).toBe(202);
    const { submissionId } = (await outage.json()) as { submissionId: string };
    expect(await drainQueue(runtime, routingQueue)).toEqual([]);
    const [stored] = await submissionItems('outage@example.com');
    expect(stored).toMatchObject({ submissionId, state: 'pending', routingPartition: 'ROUTING' });

    const before = await scanTable(runtime);
    const retry = await post(runtime, '/forms/contact/submissions', lead, { 'idempotency-key': 'outage-1' });
    expect(retry.status).toBe(202);
    expect(((await retry.json()) as { submissionId: string }).submissionId).toBe(submissionId);
    expect(await scanTable(runtime)).toEqual(before);

    await runtime.advanceClock(ROUTING_GRACE_MS); // and runs the schedules
    // (The other tests' submissions, unrouted with the consumers off, come again too.)
    const messages = (await drainQueue(runtime, routingQueue)) as { submissionId: string }[];
    expect(messages.filter((m) => m.submissionId === submissionId)).toHaveLength(1);
  });
});

describe("capture's function URL (edge.captureFunctionUrl, on by default): an origin of its own, as deployed", () => {
  const origin = 'https://www.example.com';
  const at = (path: string, init: RequestInit = {}) => fetch(new URL(path, runtime.urls.capture), init);

  it('is its own origin, apart from the API', () => {
    expect(new URL(runtime.urls.capture).origin).not.toBe(new URL(runtime.urls.api).origin);
  });

  it("answers an embedded form's render token and takes its post (urlencoded, which a function URL passes base64-encoded) by the raw path alone", async () => {
    const token = await at('/forms/contact/render-token', { headers: { origin } });
    expect(token.status).toBe(200);
    expect(token.headers.get('access-control-allow-origin')).toBe(origin);
    const { renderedAt } = (await token.json()) as { renderedAt: string };
    expect(renderedAt).toEqual(expect.any(String));

    const fields = new URLSearchParams({ ...contactLead('url@example.com'), consent: 'sales_contact', renderedAt });
    const posted = await at('/forms/contact/submissions', {
      method: 'POST',
      headers: { origin, accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
      body: fields.toString(),
    });
    expect(posted.status).toBe(202);
    expect(posted.headers.get('access-control-allow-origin')).toBe(origin);
    expect(await posted.json()).toMatchObject({ status: 'accepted', submissionId: expect.stringMatching(/^sub_/) });
    expect(await submissionItems('url@example.com')).toHaveLength(1);
    expect(await drainQueue(runtime, routingQueue)).toHaveLength(1);

    // A script's JSON post with an Idempotency-Key asks first; capture answers the preflight itself (the URL has no CORS of its own).
    const preflight = await at('/forms/contact/submissions', {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, idempotency-key' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('idempotency-key');

    expect(await (await at('/forms/nope/render-token')).json()).toMatchObject({ error: { code: 'form_not_found' } });
  });

  it("takes the hosted page's script's post from the API's origin; the page names it for its script and lets it connect there, its form posting to the API without JavaScript", async () => {
    const api = new URL(runtime.urls.api).origin;
    const hosted = await fetch(new URL('/forms/contact', runtime.urls.api));
    const html = await hosted.text();
    expect(html).toContain(`action="/forms/contact/submissions" data-post="${runtime.urls.capture}/forms/contact/submissions"`);
    expect(hosted.headers.get('content-security-policy')).toContain(`connect-src 'self' ${new URL(runtime.urls.capture).origin};`);
    const renderedAt = /name="renderedAt" value="([^"]+)"/.exec(html)?.[1] as string;

    const fields = new URLSearchParams({ ...contactLead('hosted-js@example.com'), consent: 'sales_contact', renderedAt });
    const posted = await at('/forms/contact/submissions', {
      method: 'POST',
      headers: { origin: api, accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
      body: fields.toString(),
    });
    expect(posted.status).toBe(202);
    expect(posted.headers.get('access-control-allow-origin')).toBe(api);
    expect(await submissionItems('hosted-js@example.com')).toHaveLength(1);
    await drainQueue(runtime, routingQueue);

    // Served under another name (a custom domain before the API), whose origin capture does not know, the page's script posts where its form does.
    const aliased = await new Promise<string>((resolve, reject) => {
      get(new URL('/forms/contact', runtime.urls.api), { headers: { host: 'forms.example.com' } }, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => {
          text += chunk.toString('utf8');
        });
        response.on('end', () => resolve(text));
      }).on('error', reject);
    });
    expect(aliased).toContain('action="/forms/contact/submissions"');
    expect(aliased).not.toContain(' data-post=');
  });

  it('refuses, changing nothing, whatever else reaches the URL (a function URL passes any method and path): the API keeps the pages', async () => {
    const fields = new URLSearchParams({ ...contactLead('astray@example.com'), consent: 'sales_contact', renderedAt: renderedAt('contact') });
    for (const [method, path] of [
      ['GET', '/forms/contact/submissions'],
      ['POST', '/forms/contact/render-token'],
      ['POST', '/forms/contact'],
      ['GET', '/forms/contact'],
      ['GET', '/privacy'],
      ['GET', '/'],
    ] as const) {
      const answer = await expectNoChange(() =>
        at(path, {
          method,
          ...(method === 'POST' ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: fields.toString() } : {}),
        }),
      );
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect(await answer.json()).toMatchObject({ error: { code: 'route_not_found' } });
    }
    expect((await fetch(new URL('/forms/contact', runtime.urls.api))).status).toBe(200);
  });
});
