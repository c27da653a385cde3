import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../infra/local/runtime';
import type { Report } from '../../shared/domain/insight/reports';
import { DynamoInsightCounters } from '../../shared/adapters/dynamo-insight-counters';
import { CONSENT_VERSION, configFileWith } from '../support/example-config';
import { cliAgainst } from '../support/cli';
import { eventually, post, postLocal, scanAll, scanTable, startTestRuntime } from '../support/local-runtime';
import { acceptLinkIn, mailTo, sentMail, type StoredMail } from '../support/mail';

let runtime: LocalRuntime;

beforeAll(async () => {
  // Schedules off: the SLA sweep runs when the test moves the clock. No destinations: reports only.
  const configFile = configFileWith((c) => {
    c.destinations = {};
    c.insight = { sources: ['google'], campaigns: ['spring'], journeysPerPersonPerMonth: 2, epsilonPerMonth: 3 };
  });
  runtime = await startTestRuntime({ schedules: false, configFile });
});
afterAll(() => runtime?.stop());

const leadByEmail = async (email: string) => (await scanTable(runtime)).find((item) => item.itemType === 'lead' && item.email === email) as Record<string, any>;
const header = (mail: StoredMail, name: string) => mail.headers?.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;

async function submit(email: string, body: object, headers: Record<string, string> = {}) {
  const response = await post(runtime, '/forms/contact/submissions', { email, consentVersion: CONSENT_VERSION, ...body }, headers);
  expect(response.status).toBe(202);
}

async function notified(email: string) {
  return eventually(async () => {
    const lead = await leadByEmail(email);
    expect(lead?.assignment?.notifiedAt).toBeDefined();
    const mail = mailTo(await sentMail(runtime), lead.owner).find((m) => (m.body.text ?? '').includes(email));
    expect(mail).toBeDefined();
    return { lead, mail: mail! };
  }, 20_000);
}

async function routingQueueEmpty() {
  await eventually(async () => {
    const { Attributes } = await runtime.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: runtime.queues.routing.url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    expect(Number(Attributes!.ApproximateNumberOfMessages) + Number(Attributes!.ApproximateNumberOfMessagesNotVisible)).toBe(0);
  }, 20_000);
}

async function report(...args: string[]): Promise<Report> {
  const { code, out } = await cliAgainst(runtime, 'report', ...args, '--json');
  expect(code).toBe(0);
  return JSON.parse(out) as Report;
}

/** A table's rows as { label: { column: value } }. */
function cells(report: Report, tableId: string): Record<string, Record<string, number | string>> {
  const table = report.tables.find((t) => t.id === tableId)!;
  return Object.fromEntries(table.rows.map((row) => [row.label, Object.fromEntries(table.columns.slice(1).map((c, i) => [c, row.values[i]!]))]));
}

describe('reports from counters kept as the pipeline works', () => {
  const won = 'won@engines.example';
  const slow = 'slow@engines.example';
  const reader = 'reader@engines.example';
  const held = 'held@mailinator.com';
  const bouncy = 'bouncy@engines.example';
  const annoyed = 'annoyed@engines.example';

  it('a scripted run (capture, honeypot, quarantine and release, assignment, acceptance, SLA reassignment, unsubscribe, erasure) gives exactly the expected counts in every report', async () => {
    // Won: from a known source and campaign, with the same post retried under one Idempotency-Key.
    const wonBody = { country: 'DE', company: 'Won GmbH', consent: ['sales_contact'], utm_source: 'Google', utm_campaign: 'spring' };
    await submit(won, wonBody, { 'idempotency-key': 'won-1' });
    await submit(won, wonBody, { 'idempotency-key': 'won-1' });
    // Slow: a campaign nobody configured (counted as `other`).
    await submit(slow, { country: 'DE', company: 'Slow AG', consent: ['sales_contact'], utm_source: 'google', utm_campaign: 'Typed by someone <b>' });
    // Reader: marketing only, from no campaign at all.
    await submit(reader, { firstName: 'Rea', consent: ['marketing_email'] });
    // Held: a disposable address, quarantined, then released by an operator.
    await submit(held, { country: 'US', consent: ['sales_contact'] });
    // Two more readers: one address bounces for good, one complains.
    await submit(bouncy, { firstName: 'Bo', consent: ['marketing_email'] });
    await submit(annoyed, { firstName: 'An', consent: ['marketing_email'] });
    // A bot filling the honeypot.
    await submit('bot@engines.example', { consent: ['sales_contact'], website: 'http://spam.example' });

    const { mail: wonMail } = await notified(won);
    expect((await fetch(acceptLinkIn(wonMail), { method: 'POST' })).status).toBe(200);
    const { lead: slowLead } = await notified(slow);
    await eventually(async () => {
      for (const email of [reader, bouncy, annoyed]) expect((await leadByEmail(email))?.nurture?.status).toBe('active');
    }, 20_000);
    await postLocal(runtime, '/_local/clock/advance', { by: '1m' }); // the nurture tick runs (schedules are off)
    const readerMail = await eventually(async () => {
      const found = mailTo(await sentMail(runtime), reader)[0];
      expect(found).toBeDefined();
      return found!;
    }, 20_000);
    const unsubscribe = header(readerMail, 'List-Unsubscribe')!.slice(1, -1);
    const oneClick = await fetch(unsubscribe, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).toBe(200);
    // SES events arrive at least once: each is sent twice.
    for (let i = 0; i < 2; i++) {
      const bounce = { eventType: 'Bounce', bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: bouncy }] } };
      expect((await postLocal(runtime, '/_local/ses-events', JSON.stringify(bounce))).status).toBe(202);
      const complaint = { eventType: 'Complaint', complaint: { complainedRecipients: [{ emailAddress: annoyed }] } };
      expect((await postLocal(runtime, '/_local/ses-events', JSON.stringify(complaint))).status).toBe(202);
    }
    await eventually(async () => {
      expect((await leadByEmail(bouncy)).consents.marketing_email).toMatchObject({ status: 'withdrawn', method: 'hard_bounce' });
      expect((await leadByEmail(annoyed)).consents.marketing_email).toMatchObject({ status: 'withdrawn', method: 'complaint' });
    }, 20_000);
    expect((await cliAgainst(runtime, 'quarantine', 'release', '--email', held)).out).toContain('Released 1');
    await notified(held);
    expect((await postLocal(runtime, '/_local/clock/advance', { by: '5h' })).status).toBe(200);
    expect((await leadByEmail(slow)).assignment).toMatchObject({ reason: 'sla_reassignment', generation: 2 });
    expect((await leadByEmail(held)).assignment).toMatchObject({ reason: 'sla_reassignment', generation: 2 });
    expect((await cliAgainst(runtime, 'privacy', 'erase', '--email', won)).code).toBe(0);

    // A redelivered routing message for every submission changes no count.
    const before = await report('funnel');
    for (const email of [slow, reader, held, bouncy, annoyed]) {
      const lead = await leadByEmail(email);
      for (const s of lead.submissions as { submissionId: string; at: string; formId: string }[]) {
        const message = {
          type: 'lead.captured',
          version: 1,
          leadId: String(lead.pk).slice(5),
          submissionId: s.submissionId,
          formId: s.formId,
          capturedAt: s.at,
        };
        await runtime.sqs.send(new SendMessageCommand({ QueueUrl: runtime.queues.routing.url, MessageBody: JSON.stringify(message) }));
      }
    }
    await routingQueueEmpty();
    const funnel = await report('funnel');
    expect(funnel).toEqual(before);

    expect(funnel.privacy).toEqual({ private: false });
    expect(cells(funnel, 'funnel').all).toEqual({
      submitted: 6,
      rejected: 1,
      quarantined: 1,
      released: 1,
      routed: 6,
      assigned: 3,
      accepted: 1,
      'accepted within sla': 1,
      reassigned: 2, // slow and held: neither accepted within its SLA
      'nurture enrolled': 3,
      unsubscribed: 1,
      bounced: 1,
      complained: 1,
      erased: 1,
    });
    const bySource = cells(await report('funnel', '--by', 'source'), 'funnel');
    expect(Object.keys(bySource).sort()).toEqual(['google', 'none']);
    expect(bySource.google).toMatchObject({ submitted: 2, assigned: 2, accepted: 1, reassigned: 1, erased: 1 });
    const byCampaign = cells(await report('funnel', '--by', 'campaign'), 'funnel');
    expect(Object.keys(byCampaign).sort()).toEqual(['none', 'other', 'spring']);
    expect(byCampaign.other).toMatchObject({ submitted: 1, assigned: 1, reassigned: 1 });
    expect(byCampaign.none).toMatchObject({
      submitted: 4,
      rejected: 1,
      quarantined: 1,
      released: 1,
      reassigned: 1,
      'nurture enrolled': 3,
      unsubscribed: 1,
      bounced: 1,
      complained: 1,
    });

    const speed = await report('speed');
    const toEmail = cells(speed, 'to_email');
    const emailed = Object.values(toEmail).reduce(
      (sum, row) =>
        sum +
        Object.values(row)
          .filter((v): v is number => typeof v === 'number')
          .reduce((a, b) => a + b, 0),
      0,
    );
    expect(emailed).toBe(3); // won, slow, held: first assignments only
    const toAccept = cells(speed, 'to_accept');
    expect(toAccept.emea).toMatchObject({ '≤ 1 min': 1, median: '≤ 1 min' });

    const load = cells(await report('load'), 'load');
    const slowFirst = `emea / ${(slowLead.assignment as { rep: string }).rep}`;
    expect(load[slowFirst]).toMatchObject({ 'reassigned away': 1 });
    const sum = (column: string) => Object.values(load).reduce((n, row) => n + (row[column] as number), 0);
    const totals = { assigned: sum('assigned'), accepted: sum('accepted'), away: sum('reassigned away') };
    expect(totals).toEqual({ assigned: 5, accepted: 1, away: 2 });

    const calibration = await report('calibration');
    const bands = Object.values(cells(calibration, 'calibration'));
    expect(bands.reduce((n, row) => n + (row.assigned as number), 0)).toBe(3);
    expect(bands.reduce((n, row) => n + (row.accepted as number), 0)).toBe(1);
    expect(Object.keys(cells(calibration, 'calibration'))).toEqual(['0-19', '20-39', '40-59', '60-79', '80-100']);
    expect(Object.keys(cells(calibration, 'rules')).length).toBeGreaterThan(0);
  }, 120_000);

  it('counters hold no person: after the erasure nothing in them names the erased lead, its address or its submissions', async () => {
    const items = await scanAll(runtime);
    const counters = items.filter((item) => String(item.pk).startsWith('INSIGHT#'));
    expect(counters.length).toBeGreaterThan(0);
    const text = JSON.stringify(counters);
    for (const email of [won, slow, reader, held, bouncy, annoyed]) expect(text).not.toContain(email);
    expect(text).not.toContain('Typed by someone');
    for (const lead of items.filter((item) => item.itemType === 'lead')) {
      expect(text).not.toContain(String(lead.pk).slice(5));
      for (const s of lead.submissions as { submissionId: string }[]) expect(text).not.toContain(s.submissionId);
    }
    for (const counter of counters) expect(Object.keys(counter).sort()).toEqual(expect.arrayContaining(['pk', 'sk', 'itemType', 'day', 'dims']));
  });

  it('a private release is noised, marked, spent from the budget, and refused once the month would pass it', async () => {
    const day = (await report('funnel')).to;
    const args = ['funnel', '--from', day, '--to', day, '--private', '--epsilon', '1'];
    const released = await report(...args);
    expect(released.privacy).toMatchObject({ private: true, epsilon: 1, withheld: ['rejected'] });
    expect(released.tables[0]!.columns).not.toContain('rejected');
    expect(released.tables[0]!.rows.flatMap((r) => r.values).every((v) => typeof v === 'number' && v >= 0)).toBe(true);
    await report(...args);
    await report(...args);
    const refused = await cliAgainst(runtime, 'report', ...args);
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/Refused: releasing with epsilon 1 would spend more than the \d{4}-\d{2} budget of 3 \(3 spent, 0 left\)/);
    const ledger = await cliAgainst(runtime, 'report', 'budget', '--month', day.slice(0, 7));
    expect(ledger.out).toContain('3 of 3 spent');
    expect(ledger.out.match(/epsilon 1 {2}funnel/g)).toHaveLength(3);

    const csv = await cliAgainst(runtime, 'report', 'funnel', '--format', 'csv');
    expect(csv.out.split('\r\n')[0]).toMatch(/^# NOT PRIVATE/);
    const html = await cliAgainst(runtime, 'report', 'funnel', '--format', 'html');
    expect(html.out).toContain('NOT PRIVATE');
    expect(html.out).toContain('<svg');
  });

  it('the demo page links to the same reports, live; a bad range or grouping is a usage error that reads nothing', async () => {
    const demo = await (await fetch(`${runtime.urls.api}/`)).text();
    for (const name of ['funnel', 'speed', 'load', 'calibration']) expect(demo).toContain(`href="/_local/reports/${name}"`);
    const live = await fetch(`${runtime.urls.api}/_local/reports/funnel?by=source`);
    expect(live.status).toBe(200);
    const page = await live.text();
    expect(page).toContain('NOT PRIVATE');
    expect(page).toMatch(/<th scope="row">google<\/th><td>2<\/td>/);
    expect((await fetch(`${runtime.urls.api}/_local/reports/funnel?from=yesterday`)).status).toBe(400);
    const byTeam = await cliAgainst(runtime, 'report', 'funnel', '--by', 'team');
    expect(byTeam.code).toBe(2);
    expect(byTeam.out).toContain('the funnel report groups by form or source or campaign, not team');
    const backwards = await cliAgainst(runtime, 'report', 'load', '--from', '2026-12-01', '--to', '2026-11-01');
    expect(backwards.code).toBe(2);
    expect(backwards.out).toContain('--from 2026-12-01 is after --to 2026-11-01');
  });

  it("adds up a counter's shards, by day and in a finished month's kept totals", async () => {
    const [a, b] = [3, 5].map((shard) => new DynamoInsightCounters(runtime.db, runtime.tableName, () => new Date('2030-05-10T00:00:00Z'), shard)) as [
      DynamoInsightCounters,
      DynamoInsightCounters,
    ];
    const add = (day: string, by: number) => [{ kind: 'load' as const, day, dims: ['emea', 'zed@example.com'], field: 'assigned', by }];
    await a.add(add('2030-03-02', 1));
    await b.add(add('2030-03-02', 2));
    await b.add(add('2030-04-10', 4));
    const assigned = async (from: string, to: string) => (await a.read('load', from, to)).reduce((n, row) => n + (row.counts.assigned ?? 0), 0);
    expect(await assigned('2030-03-02', '2030-03-02')).toBe(3);
    expect(await assigned('2030-03-01', '2030-04-30')).toBe(7); // both months over: read from their kept totals
    expect(await assigned('2030-03-01', '2030-04-30')).toBe(7);
  });
});
