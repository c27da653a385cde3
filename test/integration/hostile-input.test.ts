import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../infra/local/runtime';
import { manyPeopleOneClient } from '../../infra/local/config-variant';
import { acceptUrl, confirmUrl, unsubscribeUrl } from '../../shared/domain/core/links';
import { createKeyring } from '../../shared/domain/core/keyring';
import { configFileWith } from '../support/example-config';
import { advanceToNextHour, drainQueue, post, postFrom, postLocal, scanTable, startTestRuntime } from '../support/local-runtime';
import { sentMail } from '../support/mail';

let runtime: LocalRuntime;

beforeAll(async () => {
  const configFile = configFileWith((c) => manyPeopleOneClient(c));
  runtime = await startTestRuntime({ consumers: false, configFile });
});
afterAll(() => runtime?.stop());

const SUBMIT = '/forms/contact/submissions';
const code = async (response: Response) => ((await response.json()) as { error?: { code: string } }).error?.code;

/** Sends a request and asserts: the documented status and code, and no write, no message, no email. */
async function refused(request: () => Promise<Response>, status: number, errorCode?: string) {
  const before = await scanTable(runtime);
  const mails = (await sentMail(runtime)).length;
  const response = await request();
  expect(response.status).toBe(status);
  if (errorCode) expect(await code(response)).toBe(errorCode);
  expect(await scanTable(runtime)).toEqual(before);
  expect(await drainQueue(runtime, runtime.queues.routing.url)).toEqual([]);
  expect((await sentMail(runtime)).length).toBe(mails);
  return response;
}

const raw = (body: Buffer | string, contentType: string) =>
  fetch(`${runtime.urls.api}${SUBMIT}`, { method: 'POST', headers: { 'content-type': contentType }, body });

describe('hostile input at the capture endpoint', () => {
  it.each(['firstName', 'lastName', 'company', 'jobTitle', 'phone', 'email'])('refuses CR/LF header injection in %s', async (field) => {
    const response = await refused(
      () => post(runtime, SUBMIT, { email: 'ok@engines.example', [field]: 'Acme\r\nBcc: victim@example.com' }),
      400,
      'validation_failed',
    );
    expect(response.status).toBe(400);
  });

  it('keeps __proto__ and constructor keys as plain data and pollutes nothing', async () => {
    const body = '{"email":"proto@engines.example","__proto__":{"polluted":"yes","firstName":"Evil"},"constructor":{"prototype":{"polluted":"yes"}}}';
    const response = await post(runtime, SUBMIT, body, { 'content-type': 'application/json' });
    expect(response.status).toBe(202);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const stored = (await scanTable(runtime)).find((item) => (item.submission as any)?.email === 'proto@engines.example') as Record<string, any>;
    expect(stored.submission.fields).toEqual({ email: 'proto@engines.example' });
    await drainQueue(runtime, runtime.queues.routing.url);
  });

  it('refuses deep nesting, arrays and non-objects as malformed, and nested values as invalid', async () => {
    await refused(() => raw('['.repeat(8000) + ']'.repeat(8000), 'application/json'), 400, 'malformed_body');
    await refused(() => raw('"a string"', 'application/json'), 400, 'malformed_body');
    const nested = `${'{"email":'.repeat(1500)}"x@example.com"${'}'.repeat(1500)}`;
    await refused(() => raw(nested, 'application/json'), 400, 'validation_failed');
  });

  it('takes the last of duplicate JSON keys, as JSON.parse does, and validates it', async () => {
    await refused(() => raw('{"email":"dup@engines.example","email":"not-an-email"}', 'application/json'), 400, 'validation_failed');
  });

  it('refuses invalid UTF-8 with 415, as the README promises', async () => {
    const body = Buffer.concat([Buffer.from('{"email":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('@engines.example"}')]);
    await refused(() => raw(body, 'application/json'), 415, 'unsupported_media_type');
    await refused(
      () => raw(Buffer.concat([Buffer.from('email=a%40engines.example&company='), Buffer.from([0xff])]), 'application/x-www-form-urlencoded'),
      415,
      'unsupported_media_type',
    );
  });

  it.each(['\u0085', '\u2028', '\u2029'])('refuses the Unicode line break %j in single-line fields', async (separator) => {
    await refused(() => post(runtime, SUBMIT, { email: 'ok@engines.example', company: `Acme${separator}Bcc: victim@example.com` }), 400, 'validation_failed');
    await refused(() => post(runtime, SUBMIT, { email: 'ok@engines.example', firstName: `A${separator}B` }), 400, 'validation_failed');
  });

  it('refuses a confusable (non-ASCII) local part, and stores an IDN domain in its ASCII form', async () => {
    await refused(() => post(runtime, SUBMIT, { email: 'аdmin@engines.example' }), 400, 'validation_failed'); // Cyrillic а
    const response = await post(runtime, SUBMIT, { email: 'idn@bücher.example' });
    expect(response.status).toBe(202);
    expect((await scanTable(runtime)).some((item) => (item.submission as any)?.email === 'idn@xn--bcher-kva.example')).toBe(true);
    await drainQueue(runtime, runtime.queues.routing.url);
  });

  it('refuses oversized fields, oversized bodies, and wrong or missing content types', async () => {
    await refused(() => post(runtime, SUBMIT, { email: 'big@engines.example', company: 'x'.repeat(201) }), 400, 'validation_failed');
    await refused(() => post(runtime, SUBMIT, { email: 'big@engines.example', message: 'x'.repeat(17_000) }), 413, 'payload_too_large');
    await refused(() => raw('email=a%40engines.example', 'text/xml'), 415, 'unsupported_media_type');
    await refused(() => fetch(`${runtime.urls.api}${SUBMIT}`, { method: 'POST', body: new Uint8Array([0x65]) }), 415, 'unsupported_media_type');
  });

  it('never reflects markup unescaped in the browser error page', async () => {
    const response = await refused(
      () =>
        post(runtime, SUBMIT, 'email=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E&firstName=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E', {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'text/html',
        }),
      400,
    );
    const html = await response.text();
    expect(html).not.toContain('<script>alert(1)');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('property: arbitrary field values never crash the endpoint or write on refusal', async () => {
    const value = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.constantFrom('\r\n', '<script>', '"\'><', '\u0000', '\u2028'),
      fc.integer(),
      fc.constant(null),
    );
    const field = fc.constantFrom('email', 'firstName', 'company', 'country', 'phone', 'message', 'consent', 'consentVersion', '__proto__', 'renderedAt');
    await fc.assert(
      fc.asyncProperty(fc.dictionary(field, value, { maxKeys: 6 }), async (body) => {
        const before = (await scanTable(runtime)).length;
        const response = await post(runtime, SUBMIT, { renderedAt: null, ...body });
        expect([202, 400, 413]).toContain(response.status);
        if (response.status !== 202) expect((await scanTable(runtime)).length).toBe(before);
        await response.arrayBuffer();
      }),
      { numRuns: 60 },
    );
    await drainQueue(runtime, runtime.queues.routing.url);
  });
});

describe('hostile tokens at the link endpoints', () => {
  const paths = ['/unsubscribe', '/confirm', '/assignments/accept', '/privacy/requests/confirm'];
  const forged = [
    '',
    'k1',
    'k1.e30.AAAA',
    'k9.eyJwIjoidW5zdWJzY3JpYmUifQ.AAAA',
    `k1.${Buffer.from(JSON.stringify({ p: 'unsubscribe', exp: 9_999_999_999, l: 'f'.repeat(64), m: 'x', u: 'marketing_email' })).toString('base64url')}.${'A'.repeat(43)}`,
    'k1.%3Cscript%3E.x',
    'x'.repeat(5000),
  ];

  it.each(paths)('%s answers forged, truncated and oversized tokens with 400 on GET and POST, and changes nothing', async (path) => {
    for (const token of forged) {
      for (const method of ['GET', 'POST']) {
        const before = await scanTable(runtime);
        const response = await fetch(`${runtime.urls.api}${path}?t=${encodeURIComponent(token)}`, {
          method,
          ...(method === 'POST' ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' } : {}),
        });
        // Every link page checks the token on GET too, before it shows a button.
        expect(response.status, `${method} ${path} ${token.slice(0, 20)}`).toBe(400);
        const html = await response.text();
        expect(html).not.toContain('<script>');
        expect(await scanTable(runtime)).toEqual(before);
      }
    }
  });

  it('refuses a privacy request that is not an address or not a known type, with a 400 and no mail', async () => {
    const mails = (await sentMail(runtime)).length;
    expect((await post(runtime, '/privacy/requests', { email: 'a@b.example\r\nBcc: x@y.example', type: 'access' })).status).toBe(400);
    expect((await post(runtime, '/privacy/requests', { email: 'a@b.example', type: 'everything' })).status).toBe(400);
    expect((await post(runtime, '/privacy/requests', { email: ['a@b.example'], type: 'access' })).status).toBe(400);
    // The address is checked exactly as forms check it: a confusable local part is refused here too.
    expect((await post(runtime, '/privacy/requests', { email: 'аdmin@engines.example', type: 'access' })).status).toBe(400);
    expect((await post(runtime, '/privacy/requests', { email: `x${'a'.repeat(260)}@engines.example`, type: 'access' })).status).toBe(400);
    expect((await sentMail(runtime)).length).toBe(mails);
  });

  it('a privacy-request flood from one client mails at most its hourly budget, answering every request alike', async () => {
    await advanceToNextHour(runtime); // the hourly budget, in one window
    const mails = (await sentMail(runtime)).length;
    const answers = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const answer = await postFrom(runtime, '127.0.0.8', '/privacy/requests', { email: `flooded${i}@inbox.example`, type: 'erasure' });
      answers.add(`${answer.status} ${answer.text}`);
    }
    expect(answers.size).toBe(1);
    expect([...answers][0]).toMatch(/^202 /);
    expect((await sentMail(runtime)).length - mails).toBe(runtime.config.mailBudget.perIpPerHour);
  });

  it('answers the local routes only with JSON from no foreign origin, so a web page cannot move the clock', async () => {
    const before = await (await postLocal(runtime, '/_local/clock/advance', { by: '0m' })).json();
    const form = await fetch(`${runtime.urls.api}/_local/clock/advance`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'by=3d',
    });
    expect(form.status).toBe(415);
    const foreign = await fetch(`${runtime.urls.api}/_local/clock/advance`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      body: JSON.stringify({ by: '3d' }),
    });
    expect(foreign.status).toBe(403);
    const plain = await fetch(`${runtime.urls.api}/_local/ses-events`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
    expect(plain.status).toBe(415);
    const after = (await (await postLocal(runtime, '/_local/clock/advance', { by: '0m' })).json()) as { now: string };
    expect(Date.parse(after.now) - Date.parse((before as { now: string }).now)).toBeLessThan(60_000);
  });
});

describe('headers on every page', () => {
  // Pages whose URL carries a token send no Referer at all; the form page (no token) keeps its
  // Origin on posts to itself, which the capture endpoint's origin check needs.
  const pages = [
    ['/forms/contact', 'same-origin'],
    ['/unsubscribe?t=forged', 'no-referrer'],
    ['/confirm?t=forged', 'no-referrer'],
    ['/privacy/requests/confirm?t=forged', 'no-referrer'],
    ['/assignments/accept?t=forged', 'no-referrer'],
  ];
  it.each(pages)('%s sends a Content-Security-Policy, nosniff and referrer policy %s', async (path, policy) => {
    const response = await fetch(`${runtime.urls.api}${path}`);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    // The hosted form may be framed by its allowedOrigins only (the iframe embed); no other page by anyone.
    const ancestors = path === '/forms/contact' ? runtime.config.forms.contact!.allowedOrigins.join(' ') : "'none'";
    expect(response.headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
    expect(response.headers.get('content-security-policy')).toContain(`frame-ancestors ${ancestors}`);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe(policy);
  });

  it('JSON answers are not sniffed either', async () => {
    const response = await post(runtime, SUBMIT, { email: 'not-an-email' });
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('links that say what is wrong on GET', () => {
  const keyring = () => createKeyring(process.env.LEADGATE_HMAC_SECRET as string);
  const longAgo = new Date(Date.now() - 400 * 86_400_000);
  const get = async (url: string) => {
    const response = await fetch(url.replace('https://leads.example.com', runtime.urls.api));
    return { status: response.status, text: await response.text() };
  };

  it('an expired accept, confirm or unsubscribe link gets 410 with a page saying so, and changes nothing', async () => {
    const leadId = 'e'.repeat(64);
    const before = await scanTable(runtime);
    for (const url of [
      acceptUrl('https://leads.example.com', keyring(), leadId, 1, 'rep@example.com', longAgo),
      confirmUrl('https://leads.example.com', keyring(), leadId, 'sub_x', longAgo),
      unsubscribeUrl('https://leads.example.com', keyring(), leadId, 'a***@example.com', 'marketing_email', longAgo),
    ]) {
      const page = await get(url);
      expect(page.status, url.split('?')[0]).toBe(410);
      expect(page.text).toContain('This link has expired');
    }
    expect(await scanTable(runtime)).toEqual(before);
  });
});
