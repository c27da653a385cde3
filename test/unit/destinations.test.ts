import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventSchemaFile, eventSchemaText } from '../../cli/events-schemas';
import { resultOf } from '../../shared/adapters/destinations/destination-call';
import { slackMessage } from '../../shared/adapters/destinations/slack-sender';
import type { ConsentState, Lead } from '../../shared/domain/core/lead';
import { deriveEvents } from '../../shared/domain/destinations/derive-events';
import { emittingLeadRepository } from '../../shared/domain/destinations/emitting-leads';
import { DESTINATION_EVENT_TYPES } from '../../shared/domain/destinations/event-types';
import type { PendingEvent } from '../../shared/domain/destinations/pending-event';
import { RETRY_WINDOW_SECONDS, retryDelaySeconds, withinRetryWindow } from '../../shared/domain/destinations/retry-policy';
import { exampleConfig } from '../support/example-config';
import { InMemoryLeads } from '../support/in-memory-ports';

const destinations = exampleConfig.destinations;
const NOW = new Date('2026-11-30T12:00:00Z');
const consent = (granted: boolean, method: ConsentState['method'] = 'form_checkbox'): ConsentState => ({
  status: granted ? 'granted' : 'withdrawn',
  granted,
  at: NOW.toISOString(),
  formId: 'contact',
  submissionId: 'sub_1',
  consentTextVersion: 'v1',
  textSha256: 'x',
  method,
});
const lead = (changes: Partial<Lead> = {}): Lead => ({
  leadId: 'a'.repeat(64),
  email: 'p@engines.example',
  fields: { firstName: 'Ada', company: 'Acme', phone: '+44 20 7946 0000' },
  consents: { sales_contact: consent(true) },
  submissions: [{ submissionId: 'sub_1', formId: 'contact', at: NOW.toISOString(), gpc: false }],
  doNotSellOrShare: false,
  createdAt: NOW.toISOString(),
  updatedAt: NOW.toISOString(),
  expiresAt: 2_000_000_000,
  routedSubmissions: ['sub_1'],
  ...changes,
});
const assigned = (from?: Lead) =>
  lead({
    ...from,
    assignment: {
      submissionId: 'sub_1',
      team: 'emea',
      rep: 'rep@example.com',
      reason: 'rule',
      assignedAt: NOW.toISOString(),
      slaDueAt: NOW.toISOString(),
      generation: 1,
      tried: [],
    },
  });
const typesTo = (events: PendingEvent[], destination: string) => events.filter((e) => e.destinations.includes(destination)).map((e) => e.type);

describe('the event catalogue', () => {
  it.each(DESTINATION_EVENT_TYPES)('docs/events holds the current JSON Schema of %s (npm run events:schemas)', (type) => {
    expect(readFileSync(eventSchemaFile(type), 'utf8')).toBe(eventSchemaText(type));
  });
});

describe('events derived from a change of the lead', () => {
  it('a routed, assigned lead with sales_contact: created, granted and assigned, each to the destinations that subscribe and may have it', () => {
    const { events, lead: saved } = deriveEvents(undefined, assigned(), destinations, NOW);
    expect(typesTo(events, 'crm').sort()).toEqual(['lead.assigned', 'lead.created']);
    expect(typesTo(events, 'ops-webhook').sort()).toEqual(['consent.granted', 'lead.assigned', 'lead.created']);
    expect(typesTo(events, 'sales-channel')).toEqual(['lead.assigned']);
    expect(saved.recipients?.crm).toEqual({ since: NOW.toISOString(), lastAt: NOW.toISOString(), fields: ['company', 'email', 'firstName'] });
    expect(saved.recipients?.['sales-channel']?.fields).toEqual(['company']);
    // Pure: the same change gives the same ids.
    expect(deriveEvents(undefined, assigned(), destinations, NOW).events.map((e) => e.id)).toEqual(events.map((e) => e.id));
    expect(JSON.stringify(events)).not.toContain('Acme');
  });

  it('nothing for a lead without the purpose; nothing to a third party for a GPC lead', () => {
    expect(
      deriveEvents(undefined, lead({ consents: { marketing_email: consent(true) } }), destinations, NOW).events.flatMap((e) => e.destinations),
    ).not.toContain('crm');
    const gpc = deriveEvents(undefined, assigned(lead({ doNotSellOrShare: true })), destinations, NOW);
    expect(typesTo(gpc.events, 'crm')).toEqual([]);
    expect(gpc.lead.recipients?.crm).toBeUndefined();
    expect(typesTo(gpc.events, 'ops-webhook')).toContain('lead.created');
  });

  it('a withdrawal goes to the recipients that needed the purpose (and those that ask for every one); a bounce also suppresses', () => {
    const before = deriveEvents(
      undefined,
      assigned(lead({ consents: { sales_contact: consent(true), marketing_email: consent(true) } })),
      destinations,
      NOW,
    ).lead;
    const withdrawn = { ...before, consents: { ...before.consents, sales_contact: consent(false, 'unsubscribe_link') } };
    const { events } = deriveEvents(before, withdrawn, destinations, NOW);
    expect(events.map((e) => [e.type, e.destinations.sort()])).toEqual([['consent.withdrawn', ['crm', 'ops-webhook', 'sales-channel']]]);
    const bounced = { ...before, consents: { ...before.consents, marketing_email: consent(false, 'hard_bounce') } };
    const notices = deriveEvents(before, bounced, destinations, NOW).events;
    expect(notices.find((e) => e.type === 'consent.withdrawn')?.destinations).toEqual(['ops-webhook']);
    expect(notices.find((e) => e.type === 'lead.suppressed')?.destinations.sort()).toEqual(['crm', 'ops-webhook', 'sales-channel']);
    // A lead that never reached a destination gives it no notice.
    expect(deriveEvents(lead(), { ...lead(), consents: { sales_contact: consent(false) } }, destinations, NOW).events).toEqual([]);
  });

  it('an acceptance, an SLA reassignment and a rectification are events of their own', () => {
    const first = deriveEvents(undefined, assigned(), destinations, NOW).lead;
    const accepted = { ...first, assignment: { ...first.assignment!, acceptedAt: NOW.toISOString() } };
    expect(deriveEvents(first, accepted, destinations, NOW).events.map((e) => e.type)).toEqual(['lead.accepted']);
    const moved = { ...first, assignment: { ...first.assignment!, rep: 'other@example.com', reason: 'sla_reassignment' as const, generation: 2 } };
    const reassigned = deriveEvents(first, moved, destinations, NOW).events;
    expect(reassigned.map((e) => e.type)).toEqual(['lead.reassigned']);
    expect(reassigned[0]!.facts).toMatchObject({ from: 'rep@example.com', rep: 'other@example.com' });
    const rectified = { ...first, fields: { ...first.fields, company: 'Acme Ltd' }, appliedRequests: ['prq_1'] };
    expect(deriveEvents(first, rectified, destinations, NOW).events.map((e) => [e.type, e.facts])).toEqual([
      ['lead.rectified', { changedFields: ['company'] }],
    ]);
  });
});

describe('the outbox', () => {
  it('keeps the events of a saved change when publishing fails, carries them on the next save, and empties it once published', async () => {
    const inner = new InMemoryLeads();
    const published: PendingEvent[][] = [];
    let failing = true;
    const failures: number[] = [];
    const leads = emittingLeadRepository(
      inner,
      destinations,
      {
        async publish(events) {
          if (failing) throw new Error('SNS unreachable');
          published.push([...events]);
        },
      },
      (_error, events) => failures.push(events.length),
    );
    expect(await leads.save(assigned(), undefined, NOW)).toBe(true);
    expect(failures).toEqual([3]);
    const stored = await leads.get(assigned().leadId, NOW);
    expect(stored?.outbox?.map((e) => e.type).sort()).toEqual(['consent.granted', 'lead.assigned', 'lead.created']);
    failing = false;
    const accepted = { ...stored!.lead, assignment: { ...stored!.lead.assignment!, acceptedAt: NOW.toISOString() } };
    expect(await leads.save(accepted, stored!.version, NOW)).toBe(true);
    expect(published[0]!.map((e) => e.type).sort()).toEqual(['consent.granted', 'lead.accepted', 'lead.assigned', 'lead.created']);
    expect((await inner.get(assigned().leadId, NOW))?.outbox).toBeUndefined();
    // A stale version saves nothing and publishes nothing.
    expect(await leads.save(accepted, stored!.version, NOW)).toBe(false);
    expect(published).toHaveLength(1);
  });
});

describe('delivery policy', () => {
  it('backs off exponentially from 10 s with jitter, up to an hour; a Retry-After is honoured', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, r) => {
        const ceiling = Math.min(10 * 2 ** (attempt - 1), 3600);
        const delay = retryDelaySeconds(attempt, undefined, 1, () => r);
        return delay >= ceiling / 2 && delay <= ceiling;
      }),
    );
    expect(retryDelaySeconds(3, 120)).toBe(120);
    expect(retryDelaySeconds(3, 10 ** 9)).toBe(12 * 3600);
    expect(withinRetryWindow(RETRY_WINDOW_SECONDS - 100, 50)).toBe(true);
    expect(withinRetryWindow(RETRY_WINDOW_SECONDS - 100, 200)).toBe(false);
  });

  it('retries 429, 408 and 5xx (429 and 503 after their Retry-After); any other answer is final, a redirect included', () => {
    const answer = (status: number, headers: Record<string, string> = {}) => resultOf({ status, headers });
    expect(answer(204)).toEqual({ ok: true, status: 204 });
    expect(answer(429, { 'retry-after': '30' })).toMatchObject({ ok: false, retryable: true, retryAfterSeconds: 30 });
    expect(answer(503, { 'retry-after': new Date(Date.now() + 60_000).toUTCString() })).toMatchObject({
      retryable: true,
      retryAfterSeconds: expect.any(Number),
    });
    expect(answer(500)).toMatchObject({ retryable: true });
    expect(answer(400)).toMatchObject({ ok: false, retryable: false, reason: 'HTTP 400' });
    expect(answer(410)).toMatchObject({ retryable: false });
    expect(answer(302)).toMatchObject({ retryable: false, reason: 'redirect 302 refused' });
  });

  it('a Slack message names the company, score and rep, and an address or phone only if the destination allows them', () => {
    const data = { team: 'emea', rep: 'rep@example.com', score: 42, reasons: [{ reason: 'Corporate domain', points: 20 }], fields: { company: 'Acme' } };
    const plain = JSON.stringify(slackMessage('lead.assigned', data, 'https://leads.example.com/assignments/accept?t=x'));
    expect(plain).toContain('Acme');
    expect(plain).toContain('Score 42: Corporate domain');
    expect(plain).toContain('Accept the lead');
    expect(plain).not.toContain('Email:');
    const withEmail = JSON.stringify(slackMessage('lead.assigned', { ...data, fields: { ...data.fields, email: 'p@engines.example' } }, undefined));
    expect(withEmail).toContain('Email: p@engines.example');
  });
});
