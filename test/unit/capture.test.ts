import { beforeEach, describe, expect, it } from 'vitest';
import { captureSubmission, DEDUPLICATION_WINDOW_SECONDS, type CaptureDeps } from '../../shared/domain/capture';
import { LeadgateError } from '../../shared/domain/errors';
import { createKeyring } from '../../shared/domain/keyring';
import type { Submission } from '../../shared/domain/submission';
import { exampleConfig, TEST_SECRET } from '../support/example-config';
import { InMemoryClaims, InMemoryLeads, InMemoryRoutingQueue, ManualClock } from '../support/in-memory-ports';

const submission = (overrides: Partial<Submission> = {}): Submission => ({
  formId: 'contact',
  email: 'ada@example.com',
  fields: { email: 'ada@example.com', company: 'Engines' },
  grantedPurposes: ['sales_contact'],
  attribution: {},
  gpc: false,
  ...overrides,
});

describe('captureSubmission', () => {
  let leads: InMemoryLeads;
  let claims: InMemoryClaims;
  let routing: InMemoryRoutingQueue;
  let clock: ManualClock;
  let deps: CaptureDeps;
  let ids: number;

  beforeEach(() => {
    leads = new InMemoryLeads();
    claims = new InMemoryClaims();
    routing = new InMemoryRoutingQueue();
    clock = new ManualClock();
    ids = 0;
    deps = {
      settings: exampleConfig,
      keyring: createKeyring(TEST_SECRET),
      leads,
      claims,
      routing,
      clock,
      newSubmissionId: () => `sub_${++ids}`,
    };
  });

  it('stores the lead under the email hash, appends consent events, enqueues one routing message', async () => {
    const result = await captureSubmission(deps, submission());
    const leadId = deps.keyring.emailHash('ada@example.com');
    expect(result).toMatchObject({ submissionId: 'sub_1', duplicate: false });
    expect(leads.items.get(leadId)?.lead.consents.sales_contact?.granted).toBe(true);
    expect(leads.eventItems.size).toBe(2);
    expect(routing.messages).toEqual([
      { type: 'lead.captured', version: 1, leadId, submissionId: 'sub_1', formId: 'contact', capturedAt: clock.now().toISOString() },
    ]);
    expect(JSON.stringify(routing.messages)).not.toContain('ada@');
  });

  it('returns the first submission for the same content within the window, and a new one after it', async () => {
    await captureSubmission(deps, submission());
    clock.advance(DEDUPLICATION_WINDOW_SECONDS - 1);
    expect(await captureSubmission(deps, submission())).toMatchObject({ submissionId: 'sub_1', duplicate: true });
    expect(routing.messages).toHaveLength(1);
    clock.advance(2);
    expect((await captureSubmission(deps, submission())).submissionId).not.toBe('sub_1');
    expect(routing.messages).toHaveLength(2);
  });

  it('treats different content as a different submission', async () => {
    await captureSubmission(deps, submission());
    const other = await captureSubmission(deps, submission({ fields: { email: 'ada@example.com', company: 'Other' } }));
    expect(other).toMatchObject({ submissionId: 'sub_2', duplicate: false });
    expect(routing.messages).toHaveLength(2);
  });

  it('returns the first submission for a retried Idempotency-Key and refuses the key for other content', async () => {
    await captureSubmission(deps, submission(), { idempotencyKey: 'key-1' });
    expect(await captureSubmission(deps, submission(), { idempotencyKey: 'key-1' })).toMatchObject({ submissionId: 'sub_1', duplicate: true });
    const reuse = captureSubmission(deps, submission({ fields: { email: 'ada@example.com', company: 'Other' } }), { idempotencyKey: 'key-1' });
    await expect(reuse).rejects.toMatchObject({ code: 'idempotency_key_reused' });
    expect(routing.messages).toHaveLength(1);
  });

  it('a post the admission check refuses writes nothing: no claim, no lead, no event, no message', async () => {
    const refused = captureSubmission(deps, submission(), {
      admit: async () => {
        throw new LeadgateError('rate_limited', 'Too many submissions.');
      },
    });
    await expect(refused).rejects.toMatchObject({ code: 'rate_limited' });
    expect(claims.items.size).toBe(0);
    expect(leads.items.size).toBe(0);
    expect(leads.eventItems.size).toBe(0);
    expect(routing.messages).toEqual([]);
    // The same post, admitted later, is a new submission, not a repeat of the refused one.
    expect(await captureSubmission(deps, submission())).toMatchObject({ submissionId: 'sub_1', duplicate: false });
  });

  it('answers service_unavailable, not an internal error, when the admission check cannot reach its store', async () => {
    const refused = captureSubmission(deps, submission(), {
      admit: async () => {
        throw new Error('connect ECONNREFUSED');
      },
    });
    await expect(refused).rejects.toMatchObject({ code: 'service_unavailable' });
    expect(claims.items.size).toBe(0);
    expect(routing.messages).toEqual([]);
  });

  it('a retry after the message went out but the claim stayed open sends nothing once routing has run', async () => {
    claims.failComplete = 1;
    await expect(captureSubmission(deps, submission())).rejects.toMatchObject({ code: 'service_unavailable' });
    expect(routing.messages).toHaveLength(1);
    const leadId = deps.keyring.emailHash('ada@example.com');
    const current = leads.items.get(leadId)!;
    leads.items.set(leadId, { lead: { ...current.lead, routedSubmissions: ['sub_1'] }, version: current.version + 1 });
    expect(await captureSubmission(deps, submission())).toMatchObject({ submissionId: 'sub_1', duplicate: true });
    expect(routing.messages).toHaveLength(1);
    expect([...claims.items.values()][0]!.state).toBe('done');
  });

  it('answers service_unavailable when the queue is down, and a retry finishes the same submission', async () => {
    routing.failNext = 1;
    const failed = captureSubmission(deps, submission());
    await expect(failed).rejects.toBeInstanceOf(LeadgateError);
    await expect(failed).rejects.toMatchObject({ code: 'service_unavailable' });
    clock.advance(30);
    const retried = await captureSubmission(deps, submission());
    expect(retried.submissionId).toBe('sub_1');
    const stored = [...leads.items.values()][0]!;
    expect(stored.lead.submissions).toHaveLength(1);
    expect(routing.messages.map((m) => m.submissionId)).toEqual(['sub_1']);
    // The resumed attempt wrote with the first attempt's timestamp: the same events, not new ones.
    expect(leads.eventItems.size).toBe(2);
  });

  it('re-reads and merges when another writer changed the lead in between', async () => {
    await captureSubmission(deps, submission());
    let interfered = false;
    leads.beforeSave = () => {
      if (interfered) return;
      interfered = true;
      const leadId = deps.keyring.emailHash('ada@example.com');
      const current = leads.items.get(leadId)!;
      leads.items.set(leadId, { lead: { ...current.lead, fields: { ...current.lead.fields, jobTitle: 'CTO' } }, version: current.version + 1 });
    };
    await captureSubmission(deps, submission({ fields: { email: 'ada@example.com', phone: '+44 20 7946 0000' } }));
    const stored = [...leads.items.values()][0]!;
    expect(stored.lead.fields).toMatchObject({ jobTitle: 'CTO', phone: '+44 20 7946 0000', company: 'Engines' });
    expect(stored.lead.submissions).toHaveLength(2);
  });

  it('starts a fresh lead when the stored one is past its expiry, even before it is deleted', async () => {
    await captureSubmission(deps, submission({ grantedPurposes: ['marketing_email'] }));
    clock.advance(181 * 86_400);
    await captureSubmission(deps, submission({ grantedPurposes: [] }));
    const stored = [...leads.items.values()][0]!;
    expect(stored.lead.submissions).toHaveLength(1);
    expect(stored.lead.consents.marketing_email?.status).toBe('declined');
  });
});
