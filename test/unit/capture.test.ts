import { beforeEach, describe, expect, it } from 'vitest';
import { captureSubmission, DEDUPLICATION_WINDOW_SECONDS, type CaptureDeps } from '../../shared/domain/capture/capture';
import { LeadgateError } from '../../shared/domain/core/errors';
import { createKeyring } from '../../shared/domain/core/keyring';
import type { Submission } from '../../shared/domain/capture/submission';
import { exampleConfig, TEST_SECRET } from '../support/example-config';
import { InMemoryClaims, InMemoryRoutingQueue, InMemorySubmissions, ManualClock } from '../support/in-memory-ports';

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
  let submissions: InMemorySubmissions;
  let claims: InMemoryClaims;
  let routing: InMemoryRoutingQueue;
  let clock: ManualClock;
  let deps: CaptureDeps;
  let ids: number;

  beforeEach(() => {
    submissions = new InMemorySubmissions();
    claims = new InMemoryClaims();
    routing = new InMemoryRoutingQueue();
    clock = new ManualClock();
    ids = 0;
    deps = {
      settings: exampleConfig,
      keyring: createKeyring(TEST_SECRET),
      submissions,
      claims,
      routing,
      clock,
      newSubmissionId: () => `sub_${++ids}`,
    };
  });

  it('stores the submission, pending, under the email hash, enqueues one routing message, and signs what it asked for', async () => {
    const result = await captureSubmission(deps, submission());
    const leadId = deps.keyring.emailHash('ada@example.com');
    expect(result).toMatchObject({ submissionId: 'sub_1', duplicate: false });
    expect(await submissions.get(leadId, 'sub_1', clock.now())).toMatchObject({ state: 'pending', formId: 'contact', submission: submission() });
    expect(result.receipts.map((r) => [r.decision, r.purpose])).toEqual([
      ['consent.declined', 'marketing_email'],
      ['consent.granted', 'sales_contact'],
    ]);
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

  it('a post the admission check refuses writes nothing: no claim, no submission, no message', async () => {
    const refused = captureSubmission(deps, submission(), {
      admit: async () => {
        throw new LeadgateError('rate_limited', 'Too many submissions.');
      },
    });
    await expect(refused).rejects.toMatchObject({ code: 'rate_limited' });
    expect(claims.items.size).toBe(0);
    expect(submissions.items.size).toBe(0);
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

  it('a retry after the message went out but the claim stayed open sends the message again (routing is idempotent) and closes the claim', async () => {
    claims.failComplete = 1;
    await expect(captureSubmission(deps, submission())).rejects.toMatchObject({ code: 'service_unavailable' });
    expect(routing.messages).toHaveLength(1);
    expect(await captureSubmission(deps, submission())).toMatchObject({ submissionId: 'sub_1', duplicate: true });
    expect(routing.messages.map((m) => m.submissionId)).toEqual(['sub_1', 'sub_1']);
    expect(submissions.items.size).toBe(1);
    expect([...claims.items.values()][0]!.state).toBe('done');
  });

  it('answers a retry with the same receipts, byte for byte', async () => {
    const first = await captureSubmission(deps, submission(), { idempotencyKey: 'k' });
    clock.advance(5);
    const again = await captureSubmission(deps, submission(), { idempotencyKey: 'k' });
    expect(JSON.stringify(again.receipts)).toBe(JSON.stringify(first.receipts));
  });

  it('answers service_unavailable when the queue is down, and a retry finishes the same submission', async () => {
    routing.failNext = 1;
    const failed = captureSubmission(deps, submission());
    await expect(failed).rejects.toBeInstanceOf(LeadgateError);
    await expect(failed).rejects.toMatchObject({ code: 'service_unavailable' });
    clock.advance(30);
    const retried = await captureSubmission(deps, submission());
    expect(retried.submissionId).toBe('sub_1');
    expect(submissions.items.size).toBe(1);
    expect(routing.messages.map((m) => m.submissionId)).toEqual(['sub_1']);
    // The resumed attempt wrote with the first attempt's timestamp.
    expect([...submissions.items.values()][0]!.at).toBe(new Date(clock.now().getTime() - 30_000).toISOString());
  });
});
