import { describe, expect, it } from 'vitest';
import type { Lead } from '../../shared/domain/core/lead';
import { LeadKeptChanging, updateLead } from '../../shared/domain/core/lead-update';
import { InMemoryLeads } from '../support/in-memory-ports';

const now = new Date('2026-11-30T10:00:00Z');
const lead = (fields: Record<string, string>): Lead => ({
  leadId: 'a'.repeat(64),
  email: 'a@example.com',
  fields,
  consents: {},
  submissions: [],
  doNotSellOrShare: false,
  createdAt: now.toISOString(),
  updatedAt: now.toISOString(),
  expiresAt: 2_000_000_000,
});

describe('updateLead', () => {
  it('decides again from a fresh read when another writer got there first, and keeps both changes', async () => {
    const leads = new InMemoryLeads();
    await leads.save(lead({ email: 'a@example.com' }), undefined, now);
    let interfered = false;
    leads.beforeSave = () => {
      if (interfered) return;
      interfered = true;
      const current = leads.items.get('a'.repeat(64))!;
      leads.items.set('a'.repeat(64), { lead: { ...current.lead, fields: { ...current.lead.fields, jobTitle: 'CTO' } }, version: current.version + 1 });
    };
    let decisions = 0;
    const result = await updateLead(leads, 'a'.repeat(64), now, (stored) => {
      decisions++;
      return { result: 'done', save: { ...stored!.lead, fields: { ...stored!.lead.fields, phone: '+44 20 7946 0000' } } };
    });
    expect(result).toBe('done');
    expect(decisions).toBe(2);
    expect((await leads.get('a'.repeat(64), now))!.lead.fields).toEqual({ email: 'a@example.com', jobTitle: 'CTO', phone: '+44 20 7946 0000' });
  });

  it('writes nothing when the decision saves nothing, and gives up with a named error when the lead never holds still', async () => {
    const leads = new InMemoryLeads();
    await leads.save(lead({ email: 'a@example.com' }), undefined, now);
    expect(await updateLead(leads, 'a'.repeat(64), now, () => ({ result: 'nothing' }))).toBe('nothing');
    expect((await leads.get('a'.repeat(64), now))!.version).toBe(1);
    leads.beforeSave = () => {
      const current = leads.items.get('a'.repeat(64))!;
      leads.items.set('a'.repeat(64), { ...current, version: current.version + 1 });
    };
    await expect(updateLead(leads, 'a'.repeat(64), now, (stored) => ({ result: 1, save: stored!.lead }))).rejects.toBeInstanceOf(LeadKeptChanging);
  });

  it('reads what the decision needs alongside the lead on every attempt, and starts over when the decision asks to retry', async () => {
    const leads = new InMemoryLeads();
    await leads.save(lead({ email: 'a@example.com' }), undefined, now);
    let reads = 0;
    const seen: number[] = [];
    const result = await updateLead(
      leads,
      'a'.repeat(64),
      now,
      (_stored, read: number) => {
        seen.push(read);
        return read < 3 ? { retry: true } : { result: read };
      },
      async () => ++reads,
    );
    expect(result).toBe(3);
    expect(seen).toEqual([1, 2, 3]);
    // A decision that always asks to retry gives up like a lead that never holds still.
    await expect(updateLead(leads, 'a'.repeat(64), now, () => ({ retry: true }))).rejects.toBeInstanceOf(LeadKeptChanging);
  });
});
