import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../infra/local/runtime';
import { cliAgainst } from '../support/cli';
import { CONSENT_VERSION, configFileWith } from '../support/example-config';
import { eventually, heldReasonsOf, post, postFrom, renderedAt, scanTable, startTestRuntime, submissionsOf } from '../support/local-runtime';
import { mailTo, sentMail } from '../support/mail';

let runtime: LocalRuntime;
const ALLOWED = 'http://localhost:8080';

beforeAll(async () => {
  const configFile = configFileWith((c) => {
    c.screening.rateLimits = { perIpPerMinute: 1000, perEmailPerHour: 3 };
    c.forms.contact.renderToken = 'required';
  });
  runtime = await startTestRuntime({ configFile });
});
afterAll(() => runtime?.stop());

const leadByEmail = async (email: string) =>
  (await scanTable(runtime)).find((item) => item.itemType === 'lead' && item.email === email) as Record<string, any> | undefined;
const cli = (...args: string[]) => cliAgainst(runtime, ...args);

describe('hosted form, embed script and demo page', () => {
  it('serves an accessible hosted form with unticked consent boxes, the exact texts, a honeypot and a render token', async () => {
    const response = await fetch(`${runtime.urls.api}/forms/contact`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<label for="lg-email">Work email');
    expect(html).toMatch(/<input id="lg-email" name="email" type="email"[^>]* required/);
    expect(html).toContain('<select id="lg-country" name="country"');
    expect(html).toMatch(/<input type="checkbox" id="lg-consent-marketing_email" name="consent" value="marketing_email">/);
    expect(html).toContain('send me occasional emails about Example&#39;s products');
    expect(html).toContain(`name="consentVersion.sales_contact" value="${CONSENT_VERSION}"`);
    expect(html).toMatch(/aria-hidden="true"[^>]*>.*name="website" tabindex="-1"/s);
    expect(html).toMatch(/name="renderedAt" value="k1\./);
    expect(html).toContain('href="https://example.com/privacy"');
    expect((await fetch(`${runtime.urls.api}/forms/nope`)).status).toBe(404);
  });

  it('serves the embed script under 5 KB gzipped, cacheable', async () => {
    const response = await fetch(`${runtime.urls.api}/embed.js`);
    expect(response.headers.get('content-type')).toMatch(/javascript/);
    expect(response.headers.get('cache-control')).toContain('max-age');
    expect(gzipSync(Buffer.from(await response.text())).length).toBeLessThan(5 * 1024);
  });

  it('tells the visitor what happens next: a double opt-in form asks them to confirm by email, whoever they are', async () => {
    // From a client of its own: these posts must not count toward the other tests' bursts.
    const answer = async (form: string, email: string) => {
      const { text } = await postFrom(runtime, '127.0.0.9', `/forms/${form}/submissions`, {
        email,
        consent: ['marketing_email'],
        consentVersion: CONSENT_VERSION,
      });
      return (JSON.parse(text) as { message: string }).message;
    };
    expect(await answer('newsletter', 'reader@engines.example')).toContain('confirm with the link in the email');
    expect(await answer('newsletter', 'reader@engines.example')).toBe(await answer('newsletter', 'someone-else@engines.example'));
    expect(await answer('contact', 'buyer@engines.example')).toBe('Thank you! We received your message.');
  });

  it('answers preflight for allowed origins and refuses posts from other origins, readably for their script', async () => {
    const preflight = (origin: string) =>
      fetch(`${runtime.urls.api}/forms/contact/submissions`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
    const ok = await preflight(ALLOWED);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(ok.headers.get('access-control-allow-headers')).toContain('content-type');
    // Another origin's preflight passes so that its post can be refused with a reason its script can show.
    const refused = await preflight('http://evil.example');
    expect(refused.status).toBe(204);
    expect(refused.headers.get('access-control-allow-origin')).toBe('http://evil.example');

    const posted = await post(runtime, '/forms/contact/submissions', { email: 'cors@engines.example' }, { origin: ALLOWED });
    expect(posted.status).toBe(202);
    expect(posted.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    // The embed script reads a 503's Retry-After before it retries by itself.
    expect(posted.headers.get('access-control-expose-headers')).toBe('retry-after');
    const invalid = await post(runtime, '/forms/contact/submissions', { email: 'x' }, { origin: ALLOWED });
    expect(invalid.headers.get('access-control-allow-origin')).toBe(ALLOWED); // the embed can show field errors
    const foreign = await post(runtime, '/forms/contact/submissions', { email: 'cors2@engines.example' }, { origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBe('http://evil.example');
    expect(((await foreign.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'origin_not_allowed',
      message: expect.stringContaining("add the origin to the form's allowedOrigins"),
    });
    expect(await leadByEmail('cors2@engines.example')).toBeUndefined();
    expect((await submissionsOf(runtime, 'cors2@engines.example')).length).toBe(0);
    const token = await fetch(`${runtime.urls.api}/forms/contact/render-token`, { headers: { origin: ALLOWED } });
    expect(token.headers.get('access-control-allow-origin')).toBe(ALLOWED);
  });

  it('lists both forms on the local demo page, with snippets and the mail viewer', async () => {
    const html = await (await fetch(`${runtime.urls.api}/`)).text();
    expect(html).toContain('href="/forms/contact"');
    expect(html).toContain('href="/forms/newsletter"');
    expect(html).toContain(runtime.urls.ses);
    expect(html).toContain('&lt;form class=&quot;leadgate&quot;');
  });

  it('`leadgate embed` prints a ready-to-paste snippet for an API URL', async () => {
    const { code, out } = await cli('embed', 'contact', '--api', 'https://leads.example.com');
    expect(code).toBe(0);
    expect(out).toContain('action="https://leads.example.com/forms/contact/submissions"');
    expect(out).toContain('<script src="https://leads.example.com/embed.js" defer></script>');
  });
});

describe('spam and lead-fraud screening', () => {
  /** Posts, then waits for the routing consumer's decision: the reasons it was held for ([] if routed). */
  async function submitAndSettle(email: string, body: object): Promise<string[]> {
    const response = await post(runtime, '/forms/contact/submissions', {
      email,
      country: 'DE',
      consent: ['sales_contact', 'marketing_email'],
      consentVersion: CONSENT_VERSION,
      ...body,
    });
    expect(response.status).toBe(202);
    return eventually(async () => {
      const [held] = await heldReasonsOf(runtime, email);
      if (held) return held;
      expect((await leadByEmail(email))?.routedSubmissions).toHaveLength(1);
      return [];
    });
  }

  it('quarantines a submission sent under 2 s after render, without assignment or nurture email; release routes it', async () => {
    const email = 'fast@engines.example';
    expect(await submitAndSettle(email, { renderedAt: renderedAt('contact', 0.5) })).toEqual(['submitted_too_fast']);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(mailTo(await sentMail(runtime), email)).toHaveLength(0);
    // Held, it changed nothing: no lead, no consent, no owner.
    expect(await leadByEmail(email)).toBeUndefined();

    const listed = await cli('quarantine', 'list');
    expect(listed.out).toContain(`${email}  form contact`);
    expect(listed.out).toContain('submitted_too_fast');
    expect((await cli('quarantine', 'release', '--email', email)).code).toBe(0);
    await eventually(async () => expect((await leadByEmail(email))?.assignment).toBeDefined());
    expect(await heldReasonsOf(runtime, email)).toEqual([]);
    await eventually(async () => expect(mailTo(await sentMail(runtime), email).length).toBeGreaterThanOrEqual(1));
  });

  it('quarantines missing, forged and expired render tokens, and disposable domains, each with its reason', async () => {
    const forged = renderedAt('contact').replace(/\.[^.]+$/, '.AAAA');
    expect(await submitAndSettle('no-token@engines.example', { renderedAt: null })).toEqual(['render_token_missing']);
    expect(await submitAndSettle('forged@engines.example', { renderedAt: forged })).toEqual(['render_token_invalid']);
    expect(await submitAndSettle('other-form@engines.example', { renderedAt: renderedAt('newsletter') })).toEqual(['render_token_invalid']);
    expect(await submitAndSettle('stale@engines.example', { renderedAt: renderedAt('contact', 25 * 3600) })).toEqual(['render_token_expired']);
    expect(await submitAndSettle('someone@mailinator.com', {})).toEqual(['disposable_email']);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const mails = await sentMail(runtime);
    for (const email of ['no-token@engines.example', 'forged@engines.example', 'someone@mailinator.com']) {
      expect(mailTo(mails, email)).toHaveLength(0);
    }
    expect((await cli('quarantine', 'discard', '--email', 'someone@mailinator.com')).code).toBe(0);
    expect(await leadByEmail('someone@mailinator.com')).toBeUndefined();
    expect(await heldReasonsOf(runtime, 'someone@mailinator.com')).toEqual([]);
  });

  it('holds submissions past the per-address limit in an hour with rate_limited_address, dropping none', async () => {
    const email = 'limited@engines.example';
    for (let i = 0; i < 4; i++) {
      const body = { email, message: `attempt ${i}`, consent: ['sales_contact'], consentVersion: CONSENT_VERSION, renderedAt: renderedAt('contact') };
      expect((await postFrom(runtime, '127.0.0.31', '/forms/contact/submissions', body)).status).toBe(202);
    }
    // One consumer at a time per person is not guaranteed: whichever three merge first, the fourth is held.
    await eventually(async () => {
      expect((await leadByEmail(email))?.submissions).toHaveLength(3);
      expect(await heldReasonsOf(runtime, email)).toEqual([['rate_limited_address']]);
      // The merged ones keep nothing personal once their merge is marked, the consumer's last write after the lead's.
      expect(await submissionsOf(runtime, email)).toHaveLength(1);
    }, 20_000); // four messages for one lead race in one batch: the losers retry on fresh reads
  });
});
