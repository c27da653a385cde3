import { beforeEach, describe, expect, it } from 'vitest';
import { captureSubmission } from '../../shared/domain/capture';
import { createKeyring } from '../../shared/domain/keyring';
import type { RoutingMessage } from '../../shared/domain/ports';
import { routeLead, type RouteDeps } from '../../shared/domain/route-lead';
import { compileRouting } from '../../shared/domain/routing';
import { compileScoring } from '../../shared/domain/scoring';
import type { LeadgateSettings } from '../../shared/domain/settings';
import { sweepSla } from '../../shared/domain/sla-sweep';
import { assignmentEmails } from '../../shared/email/assignment-email';
import { exampleConfig, TEST_SECRET } from '../support/example-config';
import { InMemoryClaims, InMemoryLeads, InMemoryRotation, InMemoryRoutingQueue, InMemorySuppressions, ManualClock, RecordingMailer, inMemoryStrangerMail } from '../support/in-memory-ports';
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

async function capture(email: string, fields: Record<string, string>, consents = ['sales_contact']): Promise<RoutingMessage> {
  await captureSubmission(
    { settings: deps.settings, keyring: deps.keyring, leads, claims: new InMemoryClaims(), routing: queue, clock },
    { formId: 'contact', email, fields: { email, ...fields }, grantedPurposes: consents, attribution: {}, gpc: false },
  );
  return queue.messages.at(-1)!;
}

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

  it('scores but never assigns or emails a lead without sales-contact consent', async () => {
    const message = await capture('b@engines.example', { country: 'DE' }, ['marketing_email']);
    expect(await routeLead(deps, message)).toBe('no_consent');
    expect(await routeLead(deps, message)).toBe('already_routed');
    expect(mailer.sent).toEqual([]);
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
