import { describe, expect, it } from 'vitest';
import { captureSubmission } from '../../shared/domain/capture/capture';
import { shareableLeads } from '../../shared/domain/privacy/data-sharing';
import { createKeyring } from '../../shared/domain/core/keyring';
import { exportLead } from '../../shared/domain/privacy/privacy';
import { verifyReceipt } from '../../shared/domain/consent/receipts';
import { exampleConfig, TEST_SECRET } from '../support/example-config';
import { InMemoryLeads, InMemoryRoutingQueue, InMemorySuppressions, ManualClock, InMemorySubmissions } from '../support/in-memory-ports';

/** Captured, not yet routed: the submission waits in the person's partition. */
async function captured(gpc = false) {
  const leads = new InMemoryLeads();
  const submissions = new InMemorySubmissions();
  const clock = new ManualClock();
  const keyring = createKeyring(TEST_SECRET);
  const result = await captureSubmission(
    { settings: exampleConfig, keyring, submissions, routing: new InMemoryRoutingQueue(), clock },
    { formId: 'contact', email: 'p@engines.example', fields: { email: 'p@engines.example' }, grantedPurposes: ['sales_contact'], attribution: {}, gpc },
  );
  const deps = { settings: exampleConfig, leads, submissions, suppressions: new InMemorySuppressions(), keyring, clock };
  return { deps, result, leadId: keyring.emailHash('p@engines.example'), clock, keyring };
}

describe('retention and privacy (domain)', () => {
  it('exports a submission before it is routed, and nothing past its expiry, even before it is deleted', async () => {
    const { deps, leadId, clock, result } = await captured();
    expect((await exportLead(deps, leadId)).submissionsInProcessing).toEqual([
      expect.objectContaining({ submissionId: result.submissionId, state: 'pending', submission: expect.objectContaining({ email: 'p@engines.example' }) }),
    ]);
    clock.advance(181 * 86_400);
    const data = await exportLead(deps, leadId);
    expect(data.lead).toBeNull();
    expect(data.submissionsInProcessing).toEqual([]);
    expect(data.consentHistory).toEqual([]);
  });

  it("signs a receipt per consent decision that verifies only against the issuer's key", async () => {
    const { result, keyring } = await captured();
    expect(result.receipts.map((r) => `${r.purpose}:${r.decision}`).sort()).toEqual(['marketing_email:consent.declined', 'sales_contact:consent.granted']);
    for (const receipt of result.receipts) expect(verifyReceipt(receipt, keyring.receipts.publicKey)).toEqual({ valid: true });
    const other = createKeyring(`${TEST_SECRET}-other`);
    expect(verifyReceipt(result.receipts[0], other.receipts.publicKey)).toMatchObject({ valid: false });
    expect(verifyReceipt({ ...result.receipts[0], gpc: true })).toMatchObject({ valid: false });
  });

  it('still verifies a receipt signed over keys sorted with localeCompare, as receipts were until 3 December 2026', async () => {
    const { result, keyring } = await captured();
    for (const { signature: _signature, ...fields } of result.receipts) {
      const localeSorted = Object.fromEntries(Object.entries(fields).sort(([a], [b]) => a.localeCompare(b)));
      const signedBefore = { ...fields, signature: keyring.receipts.sign(Buffer.from(JSON.stringify(localeSorted), 'utf8')) };
      expect(verifyReceipt(signedBefore, keyring.receipts.publicKey)).toEqual({ valid: true });
    }
  });

  it('keeps GPC opt-outs out of anything shared with third parties', async () => {
    expect(
      shareableLeads([
        { doNotSellOrShare: true, id: 1 },
        { doNotSellOrShare: false, id: 2 },
      ]).map((l) => l.id),
    ).toEqual([2]);
    const { deps, leadId } = await captured(true);
    expect((await exportLead(deps, leadId)).submissionsInProcessing[0]?.submission?.gpc).toBe(true);
  });
});
