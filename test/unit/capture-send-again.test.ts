import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { LeadgateError, serviceUnavailable } from '../../shared/domain/core/errors';
import { errorResponse } from '../../shared/http/error-responses';
import { createKeyring } from '../../shared/domain/core/keyring';
import { renderToken } from '../../shared/domain/core/links';
import type { SubmissionStore } from '../../shared/domain/core/ports';
import { createCaptureHandler, SEND_AGAIN } from '../../shared/http/capture-handler';
import { exampleConfig, TEST_SECRET } from '../support/example-config';
import { InMemoryRateLimiter, InMemoryRoutingQueue, InMemorySubmissions, ManualClock } from '../support/in-memory-ports';

// A browser without JavaScript posts the form itself; when we fail to take it (a 503), it must get
// the form back with what the visitor typed, and sending that form again must promise the
// submission even though it repeats a failed attempt that may have stored it.

const HOSTILE = `Zoë "<b>bold</b>" & <script>alert(1)</script>`;
const keyring = createKeyring(TEST_SECRET);
const context = { getRemainingTimeInMillis: () => 10_000, awsRequestId: 'request' } as unknown as Context;

const formPost = (body: Record<string, string>, query = ''): APIGatewayProxyEventV2 =>
  ({
    version: '2.0',
    routeKey: '$default',
    rawPath: '/forms/contact/submissions',
    rawQueryString: query,
    ...(query ? { queryStringParameters: Object.fromEntries(new URLSearchParams(query)) } : {}),
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html,application/xhtml+xml' },
    requestContext: { http: { method: 'POST', path: '/forms/contact/submissions', sourceIp: '203.0.113.9' }, requestId: 'request' },
    body: new URLSearchParams(body).toString(),
    isBase64Encoded: false,
  }) as unknown as APIGatewayProxyEventV2;

/** The form a page carries, as a browser would post it: its action, and its fields' values. */
function formOf(html: string): { action: string; body: Record<string, string> } {
  const decode = (value: string) =>
    value.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
  const action = /<form [^>]*action="([^"]*)"/.exec(html)?.[1];
  if (action === undefined) throw new Error('no form on the page');
  const body: Record<string, string> = {};
  for (const [, name, value] of html.matchAll(/<input (?![^>]*type="checkbox")[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)) body[decode(name!)] = decode(value!);
  for (const [, name, value] of html.matchAll(/<textarea [^>]*name="([^"]+)"[^>]*>([^<]*)<\/textarea>/g)) body[decode(name!)] = decode(value!);
  // An unticked box is not posted; a ticked one is.
  for (const [, id] of html.matchAll(/<input type="checkbox" [^>]*value="([^"]+)"[^>]*checked/g)) body.consent = decode(id!);
  return { action: decode(action), body };
}

describe("capture's answer to a browser without JavaScript when it fails", () => {
  let submissions: InMemorySubmissions;
  let routing: InMemoryRoutingQueue;
  let clock: ManualClock;
  let logged: Record<string, unknown>[];
  const build = (store: SubmissionStore) =>
    createCaptureHandler(
      { settings: exampleConfig, keyring, submissions: store, routing, clock, rateLimiter: new InMemoryRateLimiter(), publicUrl: 'https://leads.example.com' },
      { info: () => undefined, error: (message, extra) => logged.push({ message, ...extra }) },
    );
  const posted = () => ({
    email: 'zoe@example.com',
    firstName: HOSTILE,
    message: `${HOSTILE}\nsecond line`,
    consent: 'sales_contact',
    'consentVersion.sales_contact': exampleConfig.purposes.sales_contact!.consentText.version,
    renderedAt: renderToken(keyring, 'contact', new Date(clock.now().getTime() - 20_000)),
  });

  beforeEach(() => {
    submissions = new InMemorySubmissions();
    routing = new InMemoryRoutingQueue();
    clock = new ManualClock();
    logged = [];
  });

  it('gives the form back with the input, its render token kept, a notice and a retry action, as a 503 with Retry-After', async () => {
    const down = build(Object.assign(Object.create(submissions), { add: () => Promise.reject(new Error('table unreachable')) }));
    const body = posted();
    const response = await down(formPost(body), context);
    expect(response.statusCode).toBe(503);
    expect(response.headers?.['content-type']).toContain('text/html');
    expect(response.headers?.['retry-after']).toBe('5');
    const html = response.body as string;
    expect(html).toContain(`<div class="lg-summary" role="alert"><p>${SEND_AGAIN}</p></div>`);
    expect(html).not.toContain('<script>alert(1)');
    expect(formOf(html)).toEqual({ action: '/forms/contact/submissions?retry=failure', body: expect.objectContaining(body) });
    expect(submissions.items.size).toBe(0);
    // Logged as a failure by code and frames, never with what was posted.
    expect(logged).toEqual([expect.objectContaining({ message: 'request failed', code: 'service_unavailable' })]);
    expect(JSON.stringify(logged)).not.toContain('zoe@');
  });

  it('sent again at once, the form promises the submission its failed attempt stored, where a plain resend would not', async () => {
    // The first attempt stores the submission, then can neither send its message nor note it for
    // the sweep, nor remove it: it stays, unpromised, and the visitor gets the form back.
    let sweepDown = true;
    const flaky = build(
      Object.assign(Object.create(submissions), {
        enterRoutingSweep: (...args: Parameters<SubmissionStore['enterRoutingSweep']>) =>
          sweepDown ? Promise.reject(new Error('table unreachable')) : submissions.enterRoutingSweep(...args),
        remove: () => Promise.reject(new Error('table unreachable')),
      }),
    );
    routing.failNext = 1;
    const failed = await flaky(formPost(posted()), context);
    expect(failed.statusCode).toBe(503);
    const [stored] = [...submissions.items.values()];
    expect(stored?.state).toBe('pending');
    expect(stored?.dueAt).toBeUndefined();
    sweepDown = false;
    clock.advance(2);

    // Resent without the page's action, within capture's timeout: nothing promises it.
    const again = formOf(failed.body as string);
    expect((await flaky(formPost(again.body), context)).statusCode).toBe(303);
    expect([...submissions.items.values()][0]?.dueAt).toBeUndefined();

    // Resent as the page has it: promised through the routing sweep, and the visitor thanked.
    const resent = await flaky(formPost(again.body, new URL(again.action, 'https://leads.example.com').search.slice(1)), context);
    expect(resent).toMatchObject({ statusCode: 303, headers: { location: exampleConfig.forms.contact!.successUrl } });
    expect(submissions.items.size).toBe(1);
    expect([...submissions.items.values()][0]).toMatchObject({ submissionId: stored!.submissionId, state: 'pending', dueAt: expect.any(Date) });
    expect(routing.messages).toEqual([]);
  });

  it('a program posting JSON still gets the structured 503', async () => {
    const down = build(Object.assign(Object.create(submissions), { add: () => Promise.reject(new Error('table unreachable')) }));
    const event = formPost(posted());
    event.headers.accept = 'application/json';
    const response = await down(event, context);
    expect(response.statusCode).toBe(503);
    expect(JSON.parse(response.body as string)).toMatchObject({ error: { code: 'service_unavailable' } });
  });

  it('the error page of any other failure tells a visitor to correct only what they sent', () => {
    const advice = (error: LeadgateError) => /<p>(Please [^<]*)<\/p>/.exec(errorResponse(error, true).body as string)?.[1];
    expect(advice(new LeadgateError('validation_failed', 'x', { email: 'x' }))).toBe('Please go back, correct the form and send it again.');
    expect(advice(serviceUnavailable('lead store', new Error('down')))).toBe('Please go back and send it again in a few seconds.');
    expect(advice(new LeadgateError('rate_limited', 'x'))).toBe('Please wait a while before sending it again.');
    expect(advice(new LeadgateError('origin_not_allowed', 'x'))).toBeUndefined();
  });
});
