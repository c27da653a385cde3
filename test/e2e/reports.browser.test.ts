import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNNEL_STAGES, SPEED_BUCKETS, type CounterIncrement } from '../../shared/domain/insight/counters';
import { buildReport, REPORT_NAMES } from '../../shared/domain/insight/reports';
import { cryptoIntegers } from '../../shared/domain/insight/secure-random';
import { reportPage } from '../../shared/http/report-page';
import { exampleConfig } from '../support/example-config';
import { InMemoryBudgetLedger, InMemoryCounters } from '../support/in-memory-ports';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = 'test/e2e/__screenshots__';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI) throw new Error(`CI needs Chromium at ${CHROMIUM} (.ci/run installs it with apt-get)`);

/** A month of plausible counts: a funnel that narrows, faster acceptance in one team, acceptance rising with score. */
function sampleCounts(): CounterIncrement[] {
  const increments: CounterIncrement[] = [];
  for (let d = 1; d <= 30; d++) {
    const day = `2026-11-${String(d).padStart(2, '0')}`;
    for (const [i, field] of FUNNEL_STAGES.entries()) {
      increments.push({ kind: 'funnel', day, dims: ['contact', d % 2 ? 'google' : 'none', 'spring'], field, by: Math.max(0, 40 - i * 3) });
    }
    for (const [i, b] of SPEED_BUCKETS.entries()) {
      increments.push({ kind: 'speed', day, dims: ['emea'], field: `to_email_${b.id}`, by: i < 2 ? 6 : 1 });
      increments.push({ kind: 'speed', day, dims: ['americas'], field: `to_accept_${b.id}`, by: i === 3 ? 4 : 1 });
    }
    for (const rep of ['ana@example.com', 'ben@example.com']) {
      increments.push(
        { kind: 'load', day, dims: ['emea', rep], field: 'assigned', by: 5 },
        { kind: 'load', day, dims: ['emea', rep], field: 'accepted', by: rep.startsWith('a') ? 4 : 2 },
      );
    }
    for (const [i, band] of ['0-19', '20-39', '40-59', '60-79', '80-100'].entries()) {
      increments.push(
        { kind: 'calibration', day, dims: [band], field: 'assigned', by: 10 },
        { kind: 'calibration', day, dims: [band], field: 'accepted', by: 2 + i * 2 },
      );
    }
    increments.push(
      { kind: 'rules', day, dims: ['corporate_email'], field: 'assigned', by: 8 },
      { kind: 'rules', day, dims: ['corporate_email'], field: 'accepted', by: 5 },
    );
  }
  return increments;
}

describe.skipIf(!haveChromium)('the HTML report in a real browser', () => {
  let browser: Browser;
  const dir = mkdtempSync(join(tmpdir(), 'leadgate-reports-'));

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const counters = new InMemoryCounters();
    await counters.add(sampleCounts());
    const now = new Date('2026-11-30T18:00:00Z');
    const deps = { settings: exampleConfig, counters, ledger: new InMemoryBudgetLedger(), random: cryptoIntegers(), now };
    for (const name of REPORT_NAMES) {
      const exact = await buildReport(deps, { name, from: '2026-11-01', to: '2026-11-30', by: name === 'funnel' ? 'source' : undefined });
      writeFileSync(join(dir, `${name}.html`), reportPage(exact, now));
      const shared = await buildReport(deps, { name, from: '2026-11-01', to: '2026-11-30', epsilon: 0.5 });
      writeFileSync(join(dir, `${name}-private.html`), reportPage(shared, now));
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const file of [...REPORT_NAMES, 'funnel-private']) {
    it(`opens ${file}.html with no console error and no request beyond the file itself`, async () => {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(error.message));
      page.on('request', (request) => requests.push(request.url()));
      const url = pathToFileURL(join(dir, `${file}.html`)).href;
      await page.goto(url);
      expect(problems).toEqual([]);
      expect(requests).toEqual([url]);
      expect(await page.locator('main svg[role="img"]').count()).toBeGreaterThan(0);
      expect(await page.locator('main .lg-mark').textContent()).toMatch(
        file.endsWith('private') ? /^Private release \(differential privacy, epsilon 0\.5/ : /^NOT PRIVATE/,
      );
      await page.screenshot({ path: `${SCREENSHOTS}/report-${file}.png`, fullPage: true });
      await page.close();
    });
  }
});
