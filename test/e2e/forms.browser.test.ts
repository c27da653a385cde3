import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page, type Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../infra/local/runtime';
import { loadConfigFile } from '../../shared/config/load';
import { embedSnippet, iframeSnippet } from '../../shared/http/embed-snippet';
import { configFileWith } from '../support/example-config';
import { eventually, heldReasonsOf, scanTable, startTestRuntime } from '../support/local-runtime';
import { mailTo, sentMail } from '../support/mail';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = 'test/e2e/__screenshots__';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI) throw new Error(`CI needs Chromium at ${CHROMIUM} (.ci/run installs it with apt-get)`);
if (!haveChromium) console.warn(`Skipping browser tests: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH).`);

/** A static site on its own origin, hosting pasted snippets (one page per path) and the thank-you page. */
async function staticSite(html: (path: string) => string): Promise<{ server: Server; origin: string }> {
  const server = createServer((request, response) => {
    const path = request.url ?? '/';
    const body = path.startsWith('/thanks') ? '<!doctype html><title>Thanks</title><h1>Thanks for your message</h1>' : html(path);
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(body);
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe.skipIf(!haveChromium)('hosted and embedded forms in a real browser', () => {
  let runtime: LocalRuntime;
  let browser: Browser;
  let allowed: { server: Server; origin: string };
  let foreign: { server: Server; origin: string };
  let snippet = '';
  const pages: Record<string, string> = {};
  /** A marketer's own HTML form, as in the README: no script of ours, no render token. */
  const plainForm = (formId: string, version: string) => `<form method="post" action="${runtime.urls.api}/forms/${formId}/submissions">
  <label>Work email <input name="email" type="email" required></label>
  <label>Company <input name="company"></label>
  <label><input type="checkbox" name="consent" value="sales_contact"> Yes, contact me about my enquiry.</label>
  <input type="hidden" name="consentVersion" value="${version}">
  <button>Send</button>
</form>`;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const page = (path: string) =>
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Partner site</title></head><body><h1>Talk to us</h1>${pages[path] ?? snippet}</body></html>`;
    allowed = await staticSite(page);
    foreign = await staticSite(page);
    const configFile = configFileWith((c) => {
      c.forms.contact.successUrl = `${allowed.origin}/thanks`;
      c.forms.contact.allowedOrigins = [allowed.origin];
      // The same form, for sites that promise every post comes through our page or script.
      c.forms.strict = { ...structuredClone(c.forms.contact), renderToken: 'required' };
    });
    runtime = await startTestRuntime({ configFile });
    const settings = loadConfigFile(configFile);
    // Embedded forms fetch their render token and post at capture's function URL, an origin of its own, as deployed.
    snippet = embedSnippet(settings, 'contact', runtime.urls.api, runtime.urls.capture);
    pages['/plain'] = plainForm('contact', settings.purposes.sales_contact!.consentText.version);
    pages['/plain-strict'] = plainForm('strict', settings.purposes.sales_contact!.consentText.version);
    pages['/iframe'] = iframeSnippet(settings, 'contact', runtime.urls.api);
    pages['/strict-embed'] = embedSnippet(settings, 'strict', runtime.urls.api, runtime.urls.capture);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await runtime?.stop();
    allowed?.server.close();
    foreign?.server.close();
  });

  const lead = async (email: string) =>
    (await scanTable(runtime)).find((item) => item.itemType === 'lead' && item.email === email) as Record<string, any> | undefined;

  async function fill(page: Page, email: string) {
    await page.getByLabel('Work email').fill(email);
    await page.getByLabel('First name').fill('Grace');
    await page.getByLabel('Country').selectOption('GB');
    await page.getByLabel(/sales team to contact me/).check();
    // A person takes a moment; the time trap holds back posts under 2 s.
    await page.waitForTimeout(2200);
  }

  /**
   * Sends the hosted contact form with its first posts failed by `failures`, one each, in turn
   * (the rest reach capture); waits for the thanks and the lead routed once. The posts the page
   * made, by what answered them.
   */
  async function sendThrough(email: string, failures: ((route: Route) => Promise<void>)[]): Promise<string[]> {
    const context = await browser.newContext();
    const page = await context.newPage();
    const answered: string[] = [];
    const queries: string[] = [];
    await page.route(
      (url) => url.pathname === '/forms/contact/submissions',
      async (route) => {
        queries.push(new URL(route.request().url()).search);
        const fail = failures[answered.length];
        if (fail) {
          answered.push('failed');
          return fail(route);
        }
        const response = await route.fetch();
        answered.push(String(response.status()));
        return route.fulfill({ response });
      },
    );
    await page.goto(`${runtime.urls.api}/forms/contact`);
    await fill(page, email);
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 15_000 }).toContain('Thank you');
    await eventually(async () => expect((await lead(email))?.routedSubmissions).toHaveLength(1));
    // Each retry tells capture that an attempt before it failed, so a submission that attempt stored is promised at once.
    expect(queries).toEqual(['', ...answered.slice(1).map(() => '?retry=failure')]);
    await context.close();
    return answered;
  }

  for (const javaScriptEnabled of [false, true]) {
    const mode = javaScriptEnabled ? 'js' : 'no-js';
    it(`submits the hosted form with JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, async () => {
      const context = await browser.newContext({ javaScriptEnabled });
      const page = await context.newPage();
      const requested: string[] = [];
      page.on('request', (request) => requested.push(`${new URL(request.url()).origin}${new URL(request.url()).pathname}`));
      await page.goto(`${runtime.urls.api}/forms/contact`);
      await page.screenshot({ path: `${SCREENSHOTS}/hosted-form-${mode}.png`, fullPage: true });
      const email = `grace-${mode}@engines.example`;
      await fill(page, email);
      await page.getByRole('button', { name: 'Send' }).click();
      // With JavaScript the page's own script (inline, allowed by its hash) answers in place.
      if (javaScriptEnabled) await expect.poll(() => page.getByRole('status').textContent()).toContain('Thank you');
      else await page.waitForURL(`${allowed.origin}/thanks`);
      // The page and the post: the script comes with the page, not as a request of its own. It posts
      // to capture's function URL (no per-request charge); without it, the form posts to the API.
      expect(requested.slice(0, 2)).toEqual([
        `${runtime.urls.api}/forms/contact`,
        `${javaScriptEnabled ? runtime.urls.capture : runtime.urls.api}/forms/contact/submissions`,
      ]);
      await page.screenshot({ path: `${SCREENSHOTS}/hosted-success-${mode}.png`, fullPage: true });
      const stored = await eventually(async () => {
        const item = await lead(email);
        expect(item?.routedSubmissions).toHaveLength(1);
        return item!;
      });
      expect(stored.fields).toMatchObject({ firstName: 'Grace', country: 'GB' });
      expect(stored.quarantine).toBeUndefined();
      await context.close();
    });

    it(`shows a field error for a bad email with JavaScript ${javaScriptEnabled ? 'on' : 'off'}, keeping the input`, async () => {
      const context = await browser.newContext({ javaScriptEnabled });
      const page = await context.newPage();
      await page.goto(`${runtime.urls.api}/forms/contact`);
      await page.getByLabel('Work email').fill('not-an-email');
      await page.getByLabel('First name').fill('Grace');
      await page.getByRole('button', { name: 'Send' }).click();
      const error = page.locator('#lg-email-error');
      await expect.poll(() => error.textContent()).toContain('must be an email address');
      expect(await page.getByLabel('Work email').getAttribute('aria-invalid')).toBe('true');
      expect(await page.getByLabel('First name').inputValue()).toBe('Grace');
      await page.screenshot({ path: `${SCREENSHOTS}/field-error-${mode}.png`, fullPage: true });
      await context.close();
    });
  }

  it('retries by itself when capture cannot be reached, then answers 503, and the lead is captured once', async () => {
    const answered = await sendThrough('persistent@engines.example', [
      (route) => route.abort('connectionreset'),
      (route) =>
        route.fulfill({
          status: 503,
          headers: { 'content-type': 'application/json', 'retry-after': '1' },
          body: JSON.stringify({ error: { code: 'service_unavailable', message: 'The lead store is unavailable right now; please retry.' } }),
        }),
    ]);
    expect(answered).toEqual(['failed', 'failed', '202']);
  });

  it('retries by itself after a gateway fails the function (502 in HTML, then 504), and the lead is captured once', async () => {
    const answered = await sendThrough('gateway-failed@engines.example', [
      (route) => route.fulfill({ status: 502, headers: { 'content-type': 'text/html' }, body: '<html><body><h1>502 Bad Gateway</h1></body></html>' }),
      (route) => route.fulfill({ status: 504, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: 'Gateway Timeout' }) }),
    ]);
    expect(answered).toEqual(['failed', 'failed', '202']);
  });

  it('works pasted into a page on an allowed origin, with no preflight, and is refused on another origin', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(allowed.origin);
    await fill(page, 'embedded@engines.example');
    const capturesBefore = runtime.invocations().capture ?? 0;
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Thank you');
    // A CORS simple request: the post alone reaches capture, no OPTIONS before it.
    expect((runtime.invocations().capture ?? 0) - capturesBefore).toBe(1);
    await page.screenshot({ path: `${SCREENSHOTS}/embed-allowed-origin.png`, fullPage: true });
    await eventually(async () => expect(await lead('embedded@engines.example')).toBeDefined());

    const other = await context.newPage();
    await other.goto(foreign.origin);
    await fill(other, 'foreign@engines.example');
    await other.getByRole('button', { name: 'Send' }).click();
    // The visitor is told why (the site owner must allow this origin), not that the server is down.
    await expect.poll(() => other.getByRole('status').textContent()).toContain('may not post this form');
    await other.screenshot({ path: `${SCREENSHOTS}/embed-foreign-origin.png`, fullPage: true });
    expect(await lead('foreign@engines.example')).toBeUndefined();
    await context.close();
  });

  it('fetches its render token only once the form comes into view, and the post is routed', async () => {
    pages['/below-the-fold'] = `<p style="height:3000px">Our story, at length.</p>${snippet}`;
    const context = await browser.newContext();
    const page = await context.newPage();
    const tokenRequests: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/render-token')) tokenRequests.push(request.url());
    });
    await page.goto(`${allowed.origin}/below-the-fold`);
    await page.waitForLoadState('networkidle');
    // A visitor who never scrolls to the form costs no request.
    expect(tokenRequests).toEqual([]);
    await fill(page, 'scrolled@engines.example');
    expect(tokenRequests).toHaveLength(1);
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Thank you');
    const stored = await eventually(async () => {
      const item = await lead('scrolled@engines.example');
      expect(item?.routedSubmissions).toHaveLength(1);
      return item!;
    });
    expect(stored.quarantine).toBeUndefined();
    await context.close();
  });

  it('asks again for a render token that failed to arrive when the form is next focused: a form that requires one routes the post', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    let tokenRequests = 0;
    await page.route('**/forms/strict/render-token', (route) => (++tokenRequests === 1 ? route.abort('connectionreset') : route.continue()));
    await page.goto(`${allowed.origin}/strict-embed`);
    await expect.poll(() => tokenRequests).toBe(1);
    await fill(page, 'token-again@engines.example');
    expect(tokenRequests).toBe(2);
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Thank you');
    await eventually(async () => expect((await lead('token-again@engines.example'))?.routedSubmissions).toHaveLength(1));
    await context.close();
  });

  it('a plain HTML form on an allowed origin, no script: assigned with renderToken optional, held with required', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    const post = async (path: string, email: string) => {
      await page.goto(`${allowed.origin}${path}`);
      await page.getByLabel('Work email').fill(email);
      await page.getByLabel('Company').fill('Plain Forms Ltd');
      await page.getByLabel(/contact me/).check();
      await page.getByRole('button', { name: 'Send' }).click();
      await page.waitForURL(`${allowed.origin}/thanks`);
    };
    await post('/plain', 'plain-optional@engines.example');
    await post('/plain-strict', 'plain-required@engines.example');
    await eventually(async () => {
      const assigned = await lead('plain-optional@engines.example');
      expect(assigned?.assignment?.notifiedAt).toBeDefined();
      expect(await heldReasonsOf(runtime, 'plain-required@engines.example')).toEqual([['render_token_missing']]);
      // notifiedAt is claimed before the send: the mail itself may take a moment longer.
      expect(mailTo(await sentMail(runtime), assigned!.assignment.rep).some((m) => m.subject.startsWith('New lead'))).toBe(true);
    });
    expect(await lead('plain-required@engines.example')).toBeUndefined();
    await context.close();
  });

  it('the iframe embed submits from an allowed origin, and Chromium refuses to frame it anywhere else', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${allowed.origin}/iframe`);
    const framed = page.frameLocator('iframe');
    await framed.getByLabel('Work email').fill('framed@engines.example');
    await framed.getByLabel('First name').fill('Ada');
    await framed.getByLabel('Country').selectOption('GB');
    await framed.getByLabel(/sales team to contact me/).check();
    await page.waitForTimeout(2200);
    await framed.getByRole('button', { name: 'Send' }).click();
    await eventually(async () => expect((await lead('framed@engines.example'))?.routedSubmissions).toHaveLength(1));
    await page.screenshot({ path: `${SCREENSHOTS}/iframe-allowed-origin.png`, fullPage: true });

    const refused = await context.newPage();
    const blocked: string[] = [];
    refused.on('console', (message) => blocked.push(message.text()));
    await refused.goto(`${foreign.origin}/iframe`);
    await expect.poll(() => blocked.join('\n')).toContain('frame-ancestors');
    expect(await refused.frameLocator('iframe').getByLabel('Work email').count()).toBe(0);
    await context.close();
  });

  it('lets a person ask for their data from the privacy page with JavaScript off, linked from the hosted form', async () => {
    const email = 'grace-no-js@engines.example'; // captured by the hosted-form test above
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${runtime.urls.api}/forms/contact`);
    await page.getByRole('link', { name: /Your data/ }).click();
    await page.waitForURL(`${runtime.urls.api}/privacy`);
    expect(await page.locator('main h1').textContent()).toContain('Your data at');
    await page.getByLabel('Your email address').fill(email);
    await page.getByLabel('To erase my data').check();
    await page.screenshot({ path: `${SCREENSHOTS}/privacy-page.png`, fullPage: true });
    await page.getByRole('button', { name: 'Send me the link' }).click();
    await expect.poll(() => page.locator('main').textContent()).toContain('If we hold data for this address');
    // The link goes to the address itself: only its owner can act on it.
    await eventually(async () => {
      const found = mailTo(await sentMail(runtime), email).filter((m) => m.subject.startsWith('Your privacy request'));
      expect(found).toHaveLength(1);
    });
    await context.close();
  });

  it("shows the pipeline on the local demo page, without JavaScript: each submission's state and mails", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${runtime.urls.api}/_local/pipeline`);
    const row = page.locator('tr', { hasText: 'g***@engines.example' }).first();
    await expect.poll(() => row.textContent()).toMatch(/routed; assigned to \S+@example\.com/);
    await page.screenshot({ path: `${SCREENSHOTS}/demo-pipeline.png`, fullPage: true });
    await row.getByRole('link').first().click();
    await expect.poll(() => page.locator('main').textContent()).toContain('From');
    await page.screenshot({ path: `${SCREENSHOTS}/demo-mail-headers.png`, fullPage: true });
    await context.close();
  });
});
