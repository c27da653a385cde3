import { beforeEach, describe, expect, it } from 'vitest';
import { CAPTURE_TIMEOUT_SECONDS, captureSubmission, DEDUPLICATION_WINDOW_SECONDS, type CaptureDeps } from '../../shared/domain/capture/capture';
import { LeadgateError } from '../../shared/domain/core/errors';
import { createKeyring } from '../../shared/domain/core/keyring';
import type { Submission } from '../../shared/domain/capture/submission';
import { exampleConfig, TEST_SECRET } from '../support/example-config';
import { InMemoryRoutingQueue, InMemorySubmissions, ManualClock } from '../support/in-memory-ports';
import { ROUTING_GRACE_MS } from '../../shared/domain/core/due-times';
import type { SubmissionStore } from '../../shared/domain/core/ports';

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
  let routing: InMemoryRoutingQueue;
  let clock: ManualClock;
  let deps: CaptureDeps;
  const leadId = createKeyring(TEST_SECRET).emailHash('ada@example.com');

  beforeEach(() => {
    submissions = new InMemorySubmissions();
    routing = new InMemoryRoutingQueue();
    clock = new ManualClock();
    deps = { settings: exampleConfig, keyring: createKeyring(TEST_SECRET), submissions, routing, clock };
  });

  /** The same deps, with some of the submission store's methods replaced (a failing dependency). */
  const withSubmissions = (methods: Partial<SubmissionStore>): CaptureDeps => ({ ...deps, submissions: Object.assign(Object.create(submissions), methods) });

  it('stores the submission, pending, under the email hash, enqueues one routing message, and signs what it asked for', async () => {
    const result = await captureSubmission(deps, submission());
    expect(result).toMatchObject({ submissionId: expect.stringMatching(/^sub_[0-9a-f]{32}_[0-9a-z]+$/), duplicate: false });
    expect(await submissions.get(leadId, result.submissionId, clock.now())).toMatchObject({ state: 'pending', formId: 'contact', submission: submission() });
    expect(result.receipts.map((r) => [r.decision, r.purpose])).toEqual([
      ['consent.declined', 'marketing_email'],
      ['consent.granted', 'sales_contact'],
    ]);
    expect(routing.messages).toEqual([
      { type: 'lead.captured', version: 1, leadId, submissionId: result.submissionId, formId: 'contact', capturedAt: clock.now().toISOString() },
    ]);
    expect(JSON.stringify(routing.messages)).not.toContain('ada@');
  });

  it('returns the first submission for the same content within the window, and a new one once it was merged and the window ended', async () => {
    const first = await captureSubmission(deps, submission());
    clock.advance(DEDUPLICATION_WINDOW_SECONDS - 1);
    expect(await captureSubmission(deps, submission())).toMatchObject({ submissionId: first.submissionId, duplicate: true });
    expect(routing.messages).toHaveLength(1);
    await submissions.transition(leadId, first.submissionId, 'pending', 'merged', clock.now());
    expect(await captureSubmission(deps, submission())).toMatchObject({ submissionId: first.submissionId, duplicate: true });
    clock.advance(2);
    const later = await captureSubmission(deps, submission());
    expect(later).toMatchObject({ duplicate: false });
    expect(later.submissionId).not.toBe(first.submissionId);
    expect(routing.messages).toHaveLength(2);
  });

  it('while the first is still unmerged (held for review), the same content stays that submission, whatever the time', async () => {
    const first = await captureSubmission(deps, submission());
    await submissions.transition(leadId, first.submissionId, 'pending', 'held', clock.now(), { reasons: ['ip_burst'], at: clock.now().toISOString() });
    clock.advance(86_400);
    expect(await captureSubmission(deps, submission())).toMatchObject({ submissionId: first.submissionId, duplicate: true });
    expect(routing.messages).toHaveLength(1);
  });

  it('treats different content as a different submission', async () => {
    const first = await captureSubmission(deps, submission());
    const other = await captureSubmission(deps, submission({ fields: { email: 'ada@example.com', company: 'Other' } }));
    expect(other.duplicate).toBe(false);
    expect(other.submissionId).not.toBe(first.submissionId);
    expect(routing.messages).toHaveLength(2);
  });

  it('returns the first submission for a retried Idempotency-Key and refuses the key for other content', async () => {
    const first = await captureSubmission(deps, submission(), { idempotencyKey: 'key-1' });
    expect(await captureSubmission(deps, submission(), { idempotencyKey: 'key-1' })).toMatchObject({ submissionId: first.submissionId, duplicate: true });
    const reuse = captureSubmission(deps, submission({ fields: { email: 'ada@example.com', company: 'Other' } }), { idempotencyKey: 'key-1' });
    await expect(reuse).rejects.toMatchObject({ code: 'idempotency_key_reused' });
    expect(routing.messages).toHaveLength(1);
  });

  it('a post the admission check refuses keeps nothing: the submission written beside the check goes again, no message', async () => {
    const refused = captureSubmission(deps, submission(), {
      admit: async () => {
        throw new LeadgateError('rate_limited', 'Too many submissions.');
      },
    });
    await expect(refused).rejects.toMatchObject({ code: 'rate_limited' });
    expect(submissions.items.size).toBe(0);
    expect(routing.messages).toEqual([]);
    // The same post, admitted later, is a new submission, not a repeat of the refused one.
    expect(await captureSubmission(deps, submission())).toMatchObject({ duplicate: false });
  });

  it('answers service_unavailable, not an internal error, when the admission check cannot reach its store, and keeps nothing', async () => {
    const refused = captureSubmission(deps, submission(), {
      admit: async () => {
        throw new Error('connect ECONNREFUSED');
      },
    });
    await expect(refused).rejects.toMatchObject({ code: 'service_unavailable' });
    expect(submissions.items.size).toBe(0);
    expect(routing.messages).toEqual([]);
  });

  it('sends what admission found with the routing message', async () => {
    await captureSubmission(deps, submission(), { admit: async () => ({ screening: ['ip_burst'], mailRefusal: 'ip_budget' }) });
    expect(routing.messages[0]!.admission).toEqual({ screening: ['ip_burst'], mailRefusal: 'ip_budget' });
  });

  it('answers a retry with the same receipts, byte for byte', async () => {
    const first = await captureSubmission(deps, submission(), { idempotencyKey: 'k' });
    clock.advance(5);
    const again = await captureSubmission(deps, submission(), { idempotencyKey: 'k' });
    expect(JSON.stringify(again.receipts)).toBe(JSON.stringify(first.receipts));
  });

  it('accepts when the queue is down: the write promised routing, so the sweep sends it with its findings, and nobody needs to retry', async () => {
    routing.failNext = 1;
    const accepted = await captureSubmission(deps, submission(), { admit: async () => ({ screening: ['pattern_burst'] }) });
    expect(accepted.duplicate).toBe(false);
    expect(routing.messages).toEqual([]);
    expect(await submissions.findRoutingDue(new Date(clock.now().getTime() + ROUTING_GRACE_MS - 1000))).toEqual([]);
    clock.advance(ROUTING_GRACE_MS / 1000);
    const due = await submissions.findRoutingDue(clock.now());
    expect(due.map((s) => [s.submissionId, s.admission])).toEqual([[accepted.submissionId, { screening: ['pattern_burst'] }]]);
  });

  it('a retry of an accepted submission writes and sends nothing, while the request that stored it may still be running', async () => {
    const first = await captureSubmission(deps, submission());
    const before = JSON.stringify([...submissions.items.values()]);
    clock.advance(5);
    expect(await captureSubmission(deps, submission(), { admit: async () => ({ screening: ['ip_burst'] }) })).toMatchObject({
      submissionId: first.submissionId,
      duplicate: true,
    });
    expect(JSON.stringify([...submissions.items.values()])).toBe(before);
    expect(routing.messages).toHaveLength(1);
  });

  it('a retry of a submission still pending after the request that stored it ended puts it in the routing sweep, sending nothing', async () => {
    const first = await captureSubmission(deps, submission());
    clock.advance(CAPTURE_TIMEOUT_SECONDS - 1);
    await captureSubmission(deps, submission());
    expect(await submissions.findRoutingDue(new Date(clock.now().getTime() + ROUTING_GRACE_MS))).toEqual([]);
    clock.advance(1);
    expect(await captureSubmission(deps, submission(), { admit: async () => ({ screening: ['ip_burst'] }) })).toMatchObject({
      submissionId: first.submissionId,
      duplicate: true,
    });
    expect(routing.messages).toHaveLength(1);
    const due = await submissions.findRoutingDue(new Date(clock.now().getTime() + ROUTING_GRACE_MS));
    expect(due.map((s) => [s.submissionId, s.admission])).toEqual([[first.submissionId, { screening: ['ip_burst'] }]]);
    // Once routed, a retry writes nothing at all.
    await submissions.transition(leadId, first.submissionId, 'pending', 'merged', clock.now());
    const merged = JSON.stringify([...submissions.items.values()]);
    expect(await captureSubmission(deps, submission())).toMatchObject({ submissionId: first.submissionId, duplicate: true });
    expect(JSON.stringify([...submissions.items.values()])).toBe(merged);
  });

  it('a retry after a failure promises a pending submission at once: the request that stored it may have died between its write and its message', async () => {
    const died = { ...deps, routing: { enqueue: () => new Promise<never>(() => undefined) } };
    void captureSubmission(died, submission());
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(submissions.items.size).toBe(1);
    clock.advance(3);
    // Without the client's word that it saw a failure, the first request may still be running: nothing.
    await captureSubmission(deps, submission());
    expect(await submissions.findRoutingDue(new Date(clock.now().getTime() + ROUTING_GRACE_MS))).toEqual([]);
    const retried = await captureSubmission(deps, submission(), { afterFailure: true, admit: async () => ({ screening: ['ip_burst'] }) });
    expect(retried.duplicate).toBe(true);
    expect(routing.messages).toEqual([]);
    const due = await submissions.findRoutingDue(new Date(clock.now().getTime() + ROUTING_GRACE_MS));
    expect(due.map((s) => [s.submissionId, s.admission])).toEqual([[retried.submissionId, { screening: ['ip_burst'] }]]);
  });

  it('a first request that could promise nothing leaves the submission a retry promised meanwhile, and answers 503', async () => {
    let failSend: (error: Error) => void = () => undefined;
    const sending = new Promise<never>((_, reject) => {
      failSend = reject;
    });
    const broken = { ...withSubmissions({ enterRoutingSweep: async () => Promise.reject(new Error('throttled')) }), routing: { enqueue: () => sending } };
    const first = captureSubmission(broken, submission());
    await new Promise((resolve) => setTimeout(resolve, 0));
    // The client gave up on the first request (no answer) and retried.
    const retried = await captureSubmission(deps, submission(), { afterFailure: true });
    failSend(new Error('queue down'));
    await expect(first).rejects.toMatchObject({ code: 'service_unavailable' });
    expect(retried.duplicate).toBe(true);
    const due = await submissions.findRoutingDue(new Date(clock.now().getTime() + ROUTING_GRACE_MS));
    expect(due.map((s) => s.submissionId)).toEqual([retried.submissionId]);
  });

  it('a retry that finds its submission removed before it could promise it answers 503, and the next retry stores it afresh', async () => {
    void captureSubmission({ ...deps, routing: { enqueue: () => new Promise<never>(() => undefined) } }, submission());
    await new Promise((resolve) => setTimeout(resolve, 0));
    const removedFirst = withSubmissions({
      // The first request's removal (it could promise nothing) lands between the retry's read and its write.
      enterRoutingSweep: async (stored, findings) => {
        await submissions.remove(stored.leadId, stored.submissionId);
        return submissions.enterRoutingSweep(stored, findings);
      },
    });
    await expect(captureSubmission(removedFirst, submission(), { afterFailure: true })).rejects.toMatchObject({ code: 'service_unavailable' });
    expect(submissions.items.size).toBe(0);
    const stored = await captureSubmission(deps, submission(), { afterFailure: true });
    expect(stored.duplicate).toBe(false);
    expect(routing.messages.map((m) => m.submissionId)).toEqual([stored.submissionId]);
  });

  it('answers service_unavailable when neither the routing message nor the sweep can take the submission, and keeps nothing', async () => {
    routing.failNext = 1;
    const broken = withSubmissions({ enterRoutingSweep: async () => Promise.reject(new Error('connect ECONNREFUSED')) });
    await expect(captureSubmission(broken, submission())).rejects.toMatchObject({ code: 'service_unavailable' });
    expect(submissions.items.size).toBe(0);
    expect(routing.messages).toEqual([]);
  });

  it('a retry of a submission whose first answer promised nothing (and could not remove it) is put in the routing sweep, or answered 503 again', async () => {
    routing.failNext = 1;
    const sweepDown = { enterRoutingSweep: async () => Promise.reject(new Error('throttled')), remove: async () => Promise.reject(new Error('throttled')) };
    const broken = withSubmissions(sweepDown);
    // The answer asks for the retry once this request is surely over, when the retry takes the promise on.
    await expect(captureSubmission(broken, submission())).rejects.toMatchObject({ code: 'service_unavailable', retryAfterSeconds: CAPTURE_TIMEOUT_SECONDS });
    expect(submissions.items.size).toBe(1);
    clock.advance(CAPTURE_TIMEOUT_SECONDS);
    await expect(captureSubmission(broken, submission())).rejects.toMatchObject({ code: 'service_unavailable' });
    const retried = await captureSubmission(deps, submission());
    expect(retried.duplicate).toBe(true);
    expect(routing.messages).toEqual([]);
    expect((await submissions.findRoutingDue(new Date(clock.now().getTime() + ROUTING_GRACE_MS))).map((s) => s.submissionId)).toEqual([retried.submissionId]);
  });

  it('answers service_unavailable when the submission cannot be written, and keeps nothing', async () => {
    const broken = withSubmissions({ add: async () => Promise.reject(new Error('connect ECONNREFUSED')) });
    await expect(captureSubmission(broken, submission())).rejects.toMatchObject({ code: 'service_unavailable' });
    expect(submissions.items.size).toBe(0);
    expect(routing.messages).toEqual([]);
  });
});
