import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../infra/local/runtime';
import { CONSENT_VERSION, configFileWith } from '../support/example-config';
import { eventually, heldReasonsOf, post, scanTable, startTestRuntime } from '../support/local-runtime';
import { mailTo, sentMail } from '../support/mail';

const SECRET = 'turnstile-test-secret';
let runtime: LocalRuntime;
let double: Server;
const seen: URLSearchParams[] = [];

beforeAll(async () => {
  // A local stand-in that speaks Turnstile's siteverify protocol.
  double = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const form = new URLSearchParams(body);
      seen.push(form);
      const success = form.get('secret') === SECRET && form.get('response') === 'human-token';
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ success, 'error-codes': success ? [] : ['invalid-input-response'] }));
    });
  });
  double.listen(0, '127.0.0.1');
  await new Promise((resolve) => double.once('listening', resolve));
  const verifyUrl = `http://127.0.0.1:${(double.address() as AddressInfo).port}/turnstile/v0/siteverify`;
  process.env.TURNSTILE_SECRET = SECRET;
  runtime = await startTestRuntime({
    configFile: configFileWith((c) => {
      c.screening.turnstile = { enabled: true, siteKey: '1x00000000000000000000AA', verifyUrl };
      // Mail a stranger can cause needs a passed human check here.
      c.mailBudget = { requireHumanCheck: true };
    }),
  });
});
afterAll(async () => {
  await runtime?.stop();
  double?.close();
  delete process.env.TURNSTILE_SECRET;
});

const submit = async (email: string, token?: string) => {
  const response = await post(runtime, '/forms/contact/submissions', {
    email,
    consent: ['sales_contact'],
    consentVersion: CONSENT_VERSION,
    ...(token ? { 'cf-turnstile-response': token } : {}),
  });
  expect(response.status).toBe(202);
  // The routing consumer's decision: the reasons it was held for, [] once routed.
  return eventually(async () => {
    const [held] = await heldReasonsOf(runtime, email);
    if (held) return held;
    const lead = (await scanTable(runtime)).find((item) => item.itemType === 'lead' && item.email === email) as Record<string, any>;
    expect(lead?.routedSubmissions).toHaveLength(1);
    return [];
  });
};

describe('Cloudflare Turnstile (server-side, against a siteverify double)', () => {
  it('passes a verified token and sends the secret, token and IP to siteverify', async () => {
    expect(await submit('human@engines.example', 'human-token')).toEqual([]);
    expect(seen.at(-1)?.get('remoteip')).toBe('127.0.0.1');
  });

  it('quarantines a failed or missing token', async () => {
    expect(await submit('bot@engines.example', 'forged')).toEqual(['turnstile_failed']);
    expect(await submit('lazy-bot@engines.example')).toEqual(['turnstile_failed']);
  });

  it('with requireHumanCheck, mails a privacy request only after a passed check, answering both alike', async () => {
    const email = 'asks@engines.example';
    const without = await post(runtime, '/privacy/requests', { email, type: 'access' });
    const withCheck = await post(runtime, '/privacy/requests', { email, type: 'access', 'cf-turnstile-response': 'human-token' });
    expect([without.status, withCheck.status]).toEqual([202, 202]);
    expect(await without.text()).toBe(await withCheck.text());
    await eventually(async () => expect(mailTo(await sentMail(runtime), email)).toHaveLength(1));
    expect(seen.at(-1)?.get('response')).toBe('human-token');
  });

  it('renders the widget on the hosted form', async () => {
    const html = await (await fetch(`${runtime.urls.api}/forms/contact`)).text();
    expect(html).toContain('class="cf-turnstile" data-sitekey="1x00000000000000000000AA"');
  });
});
