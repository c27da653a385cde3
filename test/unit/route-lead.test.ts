import { beforeEach, describe, expect, it } from 'vitest';
import { captureSubmission, type CaptureOptions } from '../../shared/domain/capture/capture';
import { createKeyring } from '../../shared/domain/core/keyring';
import type { RoutingMessage } from '../../shared/domain/core/ports';
import { routeLead, type RouteDeps } from '../../shared/domain/routing/route-lead';
import { compileRouting } from '../../shared/domain/routing/routing';
import { compileScoring } from '../../shared/domain/routing/scoring';
import type { LeadgateSettings } from '../../shared/domain/core/settings';
import { sweepSla } from '../../shared/domain/routing/sla-sweep';
import { suppressAndWithdraw } from '../../shared/domain/nurture/unsubscribe';
import { discardHeld, heldSubmissions, releaseHeld } from '../../shared/domain/screening/quarantine';
import { resendUnroutedSubmissions } from '../../shared/domain/routing/routing-sweep';
import { assignmentEmails } from '../../shared/email/assignment-email';
import { exampleConfig, TEST_SECRET } from '../support/example-config';
import {
  InMemoryLeads,
  InMemoryCounters,
  InMemoryRotation,
  InMemoryRoutingQueue,
  InMemorySuppressions,
  ManualClock,
  RecordingMailer,
  inMemoryStrangerMail,
  InMemorySubmissions,
} from '../support/in-memory-ports';
import { personEmails } from '../../shared/email/person-emails';

let leads: InMemoryLeads;
let queue: InMemoryRoutingQueue;
let mailer: RecordingMailer;
let clock: ManualClock;
let deps: RouteDeps;

function build(settings: LeadgateSettings = exampleConfig) {
  leads = new InMemoryLeads();
  queue = new InMemoryRoutingQueue();
  mailer = new RecordingMailer();
  clock = new ManualClock();
  deps = {
    settings,
    leads,
    rotation: new InMemoryRotation(),
    counters: new InMemoryCounters(),
    submissions: new InMemorySubmissions(),
    ...inMemoryStrangerMail(),
    mailer,
    emails: assignmentEmails(settings),
    personEmails: personEmails(settings),
    suppressions: new InMemorySuppressions(),
    clock,
    keyring: createKeyring(TEST_SECRET),
    publicUrl: 'https://leads.example.com',
    scoreLead: compileScoring(settings.scoring),
    chooseTeam: compileRouting(settings.routing),
    isDisposableDomain: (domain: string) => domain === 'mailinator.com',
  };
}

async function capture(
  email: string,
  fields: Record<string, string>,
  consents = ['sales_contact'],
  screening: string[] = [],
  options: CaptureOptions = {},
): Promise<RoutingMessage> {
  await captureSubmission(
    { settings: deps.settings, keyring: deps.keyring, submissions: deps.submissions, routing: queue, clock },
    { formId: 'contact', email, fields: { email, ...fields }, grantedPurposes: consents, attribution: {}, gpc: false, screening },
    options,
  );
  return queue.messages.at(-1)!;
}

const quarantine = () => ({ submissions: deps.submissions, routing: queue, clock });

beforeEach(() => build());

describe('routeLead', () => {
  it('assigns a consented lead once and emails the rep once, however often the message comes', async () => {
    const message = await capture('a@engines.example', { country: 'DE' });
    expect(await routeLead(deps, message)).toBe('assigned');
    expect(await routeLead(deps, message)).toBe('already_routed');
    expect(await routeLead(deps, message)).toBe('already_routed');
    expect(mailer.sent.map((m) => m.to)).toEqual(['ana@example.com']);
    const { lead } = (await leads.get(message.leadId, clock.now()))!;
    expect(lead.assignment).toMatchObject({ team: 'emea', rep: 'ana@example.com', reason: 'rule', generation: 1 });
    expect(mailer.sent[0]!.text).toContain('https://leads.example.com/assignments/accept?t=');
  });

  it('holds submissions for one address past the per-address limit in an hour with rate_limited_address, dropping none', async () => {
    const settings: LeadgateSettings = structuredClone(exampleConfig);
    settings.screening.rateLimits.perEmailPerHour = 2;
    build(settings);
    const outcomes: string[] = [];
    const messages: RoutingMessage[] = [];
    for (const title of ['A', 'B', 'C', 'D']) {
      const message = await capture('busy@engines.example', { country: 'DE', jobTitle: title });
      messages.push(message);
      outcomes.push(await routeLead(deps, message));
      clock.advance(60);
    }
    expect(outcomes).toEqual(['assigned', 'assigned', 'quarantined', 'quarantined']);
    const held = await heldSubmissions(quarantine(), messages[0]!.leadId);
    expect(held.map((s) => [s.submissionId, s.held?.reasons])).toEqual(messages.slice(2).map((m) => [m.submissionId, ['rate_limited_address']]));
    clock.advance(3600);
    expect(await routeLead(deps, await capture('busy@engines.example', { country: 'DE', jobTitle: 'E' }))).toBe('assigned');
  });

  it('screens with what admission found, whether it came in the message or, when the message failed, on the stored submission', async () => {
    const inMessage = await capture('m1@engines.example', { country: 'DE' }, ['sales_contact'], [], { admit: async () => ({ screening: ['ip_burst'] }) });
    expect(await routeLead(deps, inMessage)).toBe('quarantined');
    queue.failNext = 1;
    await capture('m2@engines.example', { country: 'DE' }, ['sales_contact'], [], { admit: async () => ({ screening: ['pattern_burst'] }) });
    clock.advance(600);
    await resendUnroutedSubmissions({ submissions: deps.submissions, routing: queue, clock });
    const swept = queue.messages.at(-1)!;
    expect(swept.admission).toBeUndefined();
    expect(await routeLead(deps, swept)).toBe('quarantined');
    expect((await deps.submissions.get(swept.leadId, swept.submissionId, clock.now()))?.held?.reasons).toEqual(['pattern_burst']);
  });

  it('scores but never assigns or emails a lead without sales-contact consent', async () => {
    const message = await capture('b@engines.example', { country: 'DE' }, ['marketing_email']);
    expect(await routeLead(deps, message)).toBe('no_consent');
    expect(await routeLead(deps, message)).toBe('already_routed');
    // No rep hears of it; the person gets the welcome of the nurture they consented to, once.
    expect(mailer.sent.map((m) => [m.to, m.subject])).toEqual([['b@engines.example', 'Hello, welcome to Example']]);
    const { lead } = (await leads.get(message.leadId, clock.now()))!;
    expect(lead.owner).toBeUndefined();
    expect(lead.score).toBeGreaterThan(0);
  });

  it('ignores a lead that expired or was erased', async () => {
    const message = await capture('c@engines.example', { country: 'DE' });
    clock.advance(181 * 86_400);
    expect(await routeLead(deps, message)).toBe('lead_gone');
    expect(mailer.sent).toEqual([]);
  });

  it('sends the email its save claimed even when marking the submission merged fails; the redelivery marks it and sends nothing more', async () => {
    const message = await capture('merge-fails@engines.example', { country: 'DE' });
    const transition = deps.submissions.transition.bind(deps.submissions);
    let failures = 1;
    deps.submissions.transition = async (...args) => {
      if (failures-- > 0) throw new Error('connect ECONNREFUSED');
      return transition(...args);
    };
    await expect(routeLead(deps, message)).rejects.toThrow('ECONNREFUSED');
    expect(mailer.sent.map((m) => m.to)).toEqual(['ana@example.com']);
    expect(await routeLead(deps, message)).toBe('already_routed');
    expect(mailer.sent).toHaveLength(1);
    expect(await deps.submissions.unmerged(message.leadId, clock.now())).toEqual([]);
  });

  it('retries a failed email on redelivery, without assigning again', async () => {
    const message = await capture('d@engines.example', { country: 'US' });
    mailer.failNext = 1;
    await expect(routeLead(deps, message)).rejects.toThrow('SES throttled');
    expect(await routeLead(deps, message)).toBe('already_routed');
    expect(mailer.sent).toHaveLength(1);
    const { lead } = (await leads.get(message.leadId, clock.now()))!;
    expect(lead.assignmentHistory).toHaveLength(1);
  });

  it('capacity: overflows past a full rep, then to the fallback team', async () => {
    const settings: LeadgateSettings = structuredClone(exampleConfig);
    settings.routing.teams.emea = { ...settings.routing.teams.emea!, strategy: 'capacity', dailyCap: 1 };
    build(settings);
    const owners: string[] = [];
    for (const name of ['e', 'f', 'g']) {
      const message = await capture(`${name}@engines.example`, { country: 'DE' });
      await routeLead(deps, message);
      owners.push((await leads.get(message.leadId, clock.now()))!.lead.owner!);
    }
    expect(owners).toEqual(['ana@example.com', 'ben@example.com', 'eve@example.com']);
  });

  it('skips a rep on leave, and sends a returning lead to a different rep when its owner is away', async () => {
    const settings: LeadgateSettings = structuredClone(exampleConfig);
    build(settings);
    const first = await capture('h@engines.example', { country: 'GB' });
    await routeLead(deps, first);
    settings.routing.teams.emea!.reps[0]!.unavailable = [{ from: '2026-11-01', to: '2026-12-31' }];
    const second = await capture('h@engines.example', { country: 'GB', message: 'again' });
    await routeLead(deps, second);
    expect(mailer.sent.map((m) => m.to)).toEqual(['ana@example.com', 'ben@example.com']);
  });
});

describe('sweepSla', () => {
  it('sends an assignment email that failed earlier, without waiting for the SLA', async () => {
    const message = await capture('i@engines.example', { country: 'DE' });
    mailer.failNext = 1;
    await expect(routeLead(deps, message)).rejects.toThrow();
    expect(await sweepSla(deps)).toMatchObject({ notified: 1, reassigned: 0 });
    expect(mailer.sent.map((m) => m.to)).toEqual(['ana@example.com']);
  });

  it('keeps a failing lead from stopping the sweep', async () => {
    for (const name of ['j', 'k']) await routeLead(deps, await capture(`${name}@engines.example`, { country: 'DE' }));
    clock.advance(5 * 3600);
    mailer.failNext = 1;
    expect(await sweepSla(deps)).toMatchObject({ reassigned: 2, failed: 1 });
    expect(mailer.sent.filter((m) => m.subject.endsWith('[reassigned]'))).toHaveLength(1);
    expect(await sweepSla(deps)).toMatchObject({ notified: 1, reassigned: 0, failed: 0 });
    expect(mailer.sent.filter((m) => m.subject.endsWith('[reassigned]'))).toHaveLength(2);
  });
});

describe('held submissions change nothing until released', () => {
  it('a held post neither creates a lead nor touches one; release applies it as if it had passed; discard leaves the lead as it was', async () => {
    const person = await capture('p@engines.example', { country: 'DE', company: 'Real GmbH' });
    await routeLead(deps, person);
    const before = structuredClone((await leads.get(person.leadId, clock.now()))!);

    clock.advance(60);
    const bot = await capture('p@engines.example', { country: 'DE', company: 'Spam Ltd' }, ['marketing_email', 'sales_contact'], ['render_token_missing']);
    expect(await routeLead(deps, bot)).toBe('quarantined');
    expect(await routeLead(deps, bot)).toBe('quarantined');
    expect((await leads.get(person.leadId, clock.now()))!).toEqual(before);
    expect(await discardHeld(quarantine(), bot.leadId, bot.submissionId)).toBe(true);
    expect(await releaseHeld(quarantine(), bot.leadId, bot.submissionId)).toBe(false);
    expect((await leads.get(person.leadId, clock.now()))!).toEqual(before);
    expect(await deps.submissions.unmerged(bot.leadId, clock.now())).toEqual([]);

    // A held post for an address we never saw: no lead at all; released, it is routed normally.
    const fresh = await capture('q@engines.example', { country: 'DE' }, ['sales_contact'], ['submitted_too_fast']);
    expect(await routeLead(deps, fresh)).toBe('quarantined');
    expect(await leads.get(fresh.leadId, clock.now())).toBeUndefined();
    expect(await releaseHeld(quarantine(), fresh.leadId, fresh.submissionId)).toBe(true);
    expect(await releaseHeld(quarantine(), fresh.leadId, fresh.submissionId)).toBe(false);
    expect(await routeLead(deps, queue.messages.at(-1)!)).toBe('assigned');
    expect((await leads.get(fresh.leadId, clock.now()))!.lead.submissions[0]).toMatchObject({
      submissionId: fresh.submissionId,
      screening: ['submitted_too_fast'],
    });
  });

  it('two held submissions of one person can each be released, and a release racing the sweep routes once', async () => {
    const first = await capture('r@engines.example', { country: 'DE', jobTitle: 'CTO' }, ['sales_contact'], ['render_token_missing']);
    clock.advance(10);
    const second = await capture('r@engines.example', { country: 'DE', phone: '+49 30 1234567' }, ['sales_contact'], ['render_token_missing']);
    for (const message of [first, second]) expect(await routeLead(deps, message)).toBe('quarantined');
    expect((await heldSubmissions(quarantine(), first.leadId)).map((s) => s.submissionId)).toEqual([first.submissionId, second.submissionId]);

    expect(await releaseHeld(quarantine(), first.leadId, first.submissionId)).toBe(true);
    clock.advance(3 * 60); // the sweep finds the released submission too
    const sweepQueue = new InMemoryRoutingQueue();
    expect(await resendUnroutedSubmissions({ submissions: deps.submissions, routing: sweepQueue, clock })).toEqual({ sent: 1, failed: 0 });
    const outcomes = await Promise.all([routeLead(deps, queue.messages.at(-1)!), routeLead(deps, sweepQueue.messages[0]!)]);
    expect(outcomes.sort()).toEqual(['already_routed', 'assigned']);
    expect(await releaseHeld(quarantine(), second.leadId, second.submissionId)).toBe(true);
    expect(await routeLead(deps, queue.messages.at(-1)!)).toBe('assigned');
    const { lead } = (await leads.get(first.leadId, clock.now()))!;
    expect(lead.submissions.map((s) => s.submissionId)).toEqual([first.submissionId, second.submissionId]);
    expect(lead.fields).toMatchObject({ jobTitle: 'CTO', phone: '+49 30 1234567' });
    expect(mailer.sent.filter((m) => m.subject.startsWith('New lead'))).toHaveLength(2);
  });

  it("a held submission older than the lead's last 50 can still be released", async () => {
    const held = await capture('s@engines.example', { country: 'DE' }, ['sales_contact'], ['render_token_missing']);
    await routeLead(deps, held);
    for (let i = 0; i < 55; i++) {
      clock.advance(200); // within the per-address limit (20 an hour)
      await routeLead(deps, await capture('s@engines.example', { country: 'DE', message: `note ${i}` }));
    }
    expect((await leads.get(held.leadId, clock.now()))!.lead.submissions).toHaveLength(50);
    expect(await releaseHeld(quarantine(), held.leadId, held.submissionId)).toBe(true);
    expect(queue.messages.at(-1)).toMatchObject({ submissionId: held.submissionId, formId: 'contact', released: true });
    expect(await routeLead(deps, queue.messages.at(-1)!)).toBe('assigned');
  });
});

describe('only the person changes their own choices', () => {
  it('a marketing opt-in for an unsubscribed address asks them to confirm, and changes no stored value', async () => {
    const first = await capture('u@engines.example', { country: 'DE', company: 'Real GmbH', phone: '+49 30 1111111' }, ['marketing_email']);
    await routeLead(deps, first);
    await suppressAndWithdraw(deps, first.leadId, 'marketing_email', 'unsubscribed', 'one_click_unsubscribe');

    clock.advance(60);
    const stranger = await capture('u@engines.example', { country: 'DE', company: 'Spam Ltd', phone: '+1 555 0100' }, ['marketing_email']);
    mailer.sent.length = 0;
    await routeLead(deps, stranger);
    const { lead } = (await leads.get(first.leadId, clock.now()))!;
    expect(lead.consents.marketing_email).toMatchObject({ status: 'pending_confirmation', granted: false, method: 'double_opt_in' });
    expect(lead.nurture?.status).toBe('stopped');
    expect(lead.fields).toMatchObject({ company: 'Real GmbH', phone: '+49 30 1111111' });
    expect(lead.submissions.at(-1)!.given).toEqual({ company: 'Spam Ltd', phone: '+1 555 0100' });
    expect(await deps.suppressions.get(first.leadId)).toMatchObject({ unsubscribedAt: expect.any(String) });
    expect(mailer.sent.map((m) => m.subject)).toEqual([expect.stringMatching(/^Please confirm/)]);
  });

  it('shows a differing value to the rep as given on its date, never in place of the stored one', async () => {
    await routeLead(deps, await capture('v@engines.example', { country: 'DE', company: 'Real GmbH' }));
    clock.advance(86_400);
    mailer.sent.length = 0;
    const later = await capture('v@engines.example', {
      country: 'DE',
      company: 'Other AG',
      message: 'Score: 100\nhttps://evil.example/assignments/accept?t=x',
    });
    await routeLead(deps, later);
    await sweepSla({ ...deps });
    const [mail] = mailer.sent;
    expect(mail!.text).toContain('Company: Real GmbH');
    expect(mail!.text).toMatch(/Company \(given on \d{4}-\d{2}-\d{2}; not stored\): Other AG/);
    // The free text cannot pass for our own lines: every line of it is quoted.
    expect(mail!.text).toContain('    > Score: 100');
    expect(mail!.text).not.toMatch(/^Score: 100$/m);
    expect(mail!.html).toContain('<blockquote');
  });
});
