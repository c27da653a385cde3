import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../infra/local/runtime';
import { cliAgainst } from '../support/cli';
import { createKeyring } from '../../shared/domain/core/keyring';
import { CONSENT_VERSION } from '../support/example-config';
import { eventually, post, scanAll, startTestRuntime } from '../support/local-runtime';
import { mailTo, sentMail } from '../support/mail';

// Capture only makes a submission durable; the routing consumer merges it later. Between the two,
// the person's rights hold all the same. The consumer here refuses the routing messages of the
// leads a test holds back (as if it were slow), then takes them once the test lets them go.
const heldBack = new Set<string>();
const deliveries = new Map<string, number>();
let runtime: LocalRuntime;

beforeAll(async () => {
  runtime = await startTestRuntime({
    schedules: false,
    faults: {
      failRecord: (queue, body) => {
        if (queue !== 'routing') return false;
        const { leadId } = JSON.parse(body) as { leadId: string };
        deliveries.set(leadId, (deliveries.get(leadId) ?? 0) + 1);
        return heldBack.has(leadId);
      },
      visibilityTimeoutSeconds: 1,
    },
  });
});
afterAll(() => runtime?.stop());

const cli = (...args: string[]) => cliAgainst(runtime, ...args);
const contact = (email: string) => ({
  email,
  company: 'Between GmbH',
  country: 'DE',
  consent: ['sales_contact', 'marketing_email'],
  consentVersion: CONSENT_VERSION,
});

/** Captures a lead whose routing waits until released; resolves once the consumer has refused it once. */
async function captureHeldBack(email: string) {
  const leadId = createKeyring(process.env.LEADGATE_HMAC_SECRET as string).emailHash(email);
  heldBack.add(leadId);
  const response = await post(runtime, '/forms/contact/submissions', contact(email), { 'idempotency-key': `between-${email}` });
  expect(response.status).toBe(202);
  await eventually(async () => expect(deliveries.get(leadId) ?? 0).toBeGreaterThan(0));
  return { leadId, answer: (await response.json()) as { submissionId: string; consentReceipts: unknown[] } };
}

const itemsOf = async (leadId: string) => (await scanAll(runtime)).filter((item) => item.pk === `LEAD#${leadId}`);

describe('between capture and routing', () => {
  it('an access export right after capture includes the submission; a retry returns the same id and receipts', async () => {
    const email = 'export-early@engines.example';
    const { leadId, answer } = await captureHeldBack(email);
    const exported = JSON.parse((await cli('privacy', 'export', '--email', email)).out);
    expect(exported.lead).toBeNull();
    expect(exported.submissionsInProcessing).toEqual([
      expect.objectContaining({ submissionId: answer.submissionId, state: 'pending', submission: expect.objectContaining({ email }) }),
    ]);

    const retry = await post(runtime, '/forms/contact/submissions', contact(email), { 'idempotency-key': `between-${email}` });
    expect(await retry.json()).toEqual(answer);

    heldBack.delete(leadId);
    await eventually(async () => expect((await itemsOf(leadId)).some((item) => item.itemType === 'lead')).toBe(true), 15_000);
  });

  it('an erasure between capture and routing leaves nothing, and the routing that follows sends nothing', async () => {
    const email = 'erase-early@engines.example';
    const { leadId } = await captureHeldBack(email);
    expect(await itemsOf(leadId)).toHaveLength(1);
    const erased = await cli('privacy', 'erase', '--email', email, '--json');
    expect(JSON.parse(erased.out)).toMatchObject({ kind: 'erasure', itemsDeleted: expect.any(Number) });

    const before = deliveries.get(leadId) ?? 0;
    heldBack.delete(leadId);
    await eventually(async () => expect(deliveries.get(leadId) ?? 0).toBeGreaterThan(before), 15_000);
    // Routed now, it finds nothing: no lead, no submission, no mail to the person or a rep about them.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await itemsOf(leadId)).toEqual([]);
    const mail = await sentMail(runtime);
    expect(mailTo(mail, email)).toEqual([]);
    expect(JSON.stringify(mail)).not.toContain(email);
  });
});
