import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../infra/local/runtime';
import { CONSENT_VERSION, configFileWith } from '../support/example-config';
import { eventually, heldReasonsOf, postFrom, scanTable, startTestRuntime, submissionsOf } from '../support/local-runtime';
import { mailTo, sentMail } from '../support/mail';
import { HOLD_SETTLE_MS } from '../../shared/domain/screening/review-digest';

// Quarantine review without a terminal (issue 16): reviewers get a digest of held submissions,
// each with a signed link to a page whose buttons release or discard it, once.
const REVIEWER = 'reviewer@example.com';
let runtime: LocalRuntime;

beforeAll(async () => {
  const configFile = configFileWith((c) => {
    c.screening.reviewers = [REVIEWER];
  });
  runtime = await startTestRuntime({ configFile, schedules: false });
});
afterAll(() => runtime?.stop());

const contact = (email: string) => ({ email, company: 'Held GmbH', country: 'DE', consent: ['sales_contact'], consentVersion: CONSENT_VERSION });
/** Disposable addresses are held (`disposable_email`) by the routing consumer. */
async function captureHeld(email: string, clientIp: string) {
  expect((await postFrom(runtime, clientIp, '/forms/contact/submissions', contact(email))).status).toBe(202);
  await eventually(async () => expect(await heldReasonsOf(runtime, email)).toEqual([['disposable_email']]));
}
const digests = async () => mailTo(await sentMail(runtime), REVIEWER);
const reviewLinks = (text: string) => [...text.matchAll(/(https?:\/\/\S+\/quarantine\/review\?t=\S+)/g)].map((m) => m[1] as string);
const decide = (link: string, decision: 'release' | 'discard') =>
  fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `decision=${decision}` });

const rowOf = (page: string, masked: string) => page.split('<tr>').find((r) => r.includes(masked)) ?? '';

/** The local demo's pipeline view: each submission, its state, and its mails with their headers. */
async function expectPipeline() {
  const live = await fetch(`${runtime.urls.api}/_local/pipeline`);
  expect(live.status).toBe(200);
  const page = await live.text();
  expect(page).toContain('http-equiv="refresh"');
  expect(rowOf(page, 'f***@mailinator.com')).toMatch(/routed; assigned to \S+@example\.com \(emailed\)/);
  // A discarded submission keeps nothing personal: its row has no address to show.
  expect(page).not.toContain('s***@mailinator.com');
  expect(rowOf(page, 'discarded')).toContain('<td>***</td>');
  const mailLink = /href="(\/_local\/mail\?id=[^"]+)"/.exec(rowOf(page, 'f***@mailinator.com'))?.[1];
  expect(mailLink).toBeDefined();
  const mail = await (await fetch(`${runtime.urls.api}${mailLink!.replaceAll('&amp;', '&')}`)).text();
  expect(mail).toContain('<th scope="row">From</th>');
  expect(mail).toContain('first-held@mailinator.com');
  expect(await (await fetch(runtime.urls.api)).text()).toContain('The pipeline');
}

describe('quarantine review by email', () => {
  let links: string[] = [];

  it('two held submissions, one digest: masked addresses, reasons and a link each; nothing new, nothing sent', async () => {
    await captureHeld('first-held@mailinator.com', '127.0.0.41');
    await captureHeld('second-held@mailinator.com', '127.0.0.42');
    // Nothing yet: a digest covers holds a minute old (HOLD_SETTLE_MS), so none is missed.
    await runtime.runSchedules();
    expect(await digests()).toEqual([]);
    await runtime.advanceClock(HOLD_SETTLE_MS); // and runs the schedules
    const [digest, ...more] = await digests();
    expect(more).toEqual([]);
    expect(digest!.subject).toContain('2 held submissions to review');
    const text = digest!.body.text ?? '';
    expect(text).toContain('f***@mailinator.com');
    expect(text).toContain('s***@mailinator.com');
    expect(text).toContain('disposable_email');
    expect(text).not.toContain('first-held@');
    links = reviewLinks(text);
    expect(links).toHaveLength(2);

    await runtime.runSchedules();
    expect(await digests()).toHaveLength(1);
  });

  it('GET shows the submission and changes nothing; POST releases it once; the second use is 410', async () => {
    const before = await scanTable(runtime);
    const shown = await fetch(links[0]!);
    expect(shown.status).toBe(200);
    const page = await shown.text();
    expect(page).toContain('f***@mailinator.com');
    expect(page).toContain('name="decision" value="release"');
    expect(await scanTable(runtime)).toEqual(before);

    const released = await decide(links[0]!, 'release');
    expect(released.status).toBe(200);
    expect(await released.text()).toContain('Released');
    // Released: merged and routed as if it had passed screening.
    await eventually(async () => {
      const lead = (await scanTable(runtime)).find((item) => item.itemType === 'lead' && item.email === 'first-held@mailinator.com');
      expect(lead?.routedSubmissions).toHaveLength(1);
    });
    expect((await decide(links[0]!, 'discard')).status).toBe(410);
    expect((await fetch(links[0]!)).status).toBe(410);
  });

  it('discard keeps nothing personal; the demo pipeline shows every state; forged links are 400, expired ones 410', async () => {
    expect((await decide(links[1]!, 'discard')).status).toBe(200);
    expect((await submissionsOf(runtime, 'second-held@mailinator.com')).filter((item) => item.state === 'held')).toEqual([]);
    expect((await fetch(links[1]!)).status).toBe(410);
    await eventually(expectPipeline); // a live view of a pipeline still finishing the released one

    const forged = `${links[1]!.slice(0, -3)}abc`;
    expect((await fetch(forged)).status).toBe(400);
    expect((await decide(forged, 'release')).status).toBe(400);

    await captureHeld('third-held@mailinator.com', '127.0.0.43');
    const held = rowOf(await (await fetch(`${runtime.urls.api}/_local/pipeline`)).text(), 't***@mailinator.com');
    expect(held).toContain('held: disposable_email');
    expect(held).toContain('/quarantine/review?t=');
    await runtime.advanceClock(HOLD_SETTLE_MS);
    const [third] = reviewLinks((await digests()).at(-1)!.body.text ?? '');
    expect(third).toBeDefined();
    await runtime.advanceClock(8 * 86_400_000);
    expect((await fetch(third!)).status).toBe(410);
    expect((await decide(third!, 'release')).status).toBe(410);
    expect(await heldReasonsOf(runtime, 'third-held@mailinator.com')).toEqual([['disposable_email']]);
  });
});
