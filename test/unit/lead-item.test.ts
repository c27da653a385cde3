import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { leadItem, leadOfItem, readableItem } from '../../shared/adapters/lead-item';
import type { Lead } from '../../shared/domain/core/lead';
import type { PendingEvent } from '../../shared/domain/destinations/pending-event';

const leadId = 'a'.repeat(64);
/**
 * Any JSON a lead's attributes may hold (form fields are any text a person types, in any script),
 * as JSON reads it back: no -0, which no lead holds (its numbers are counts, scores and times).
 */
const json = fc.json({ maxDepth: 3, stringUnit: 'grapheme' }).map((text) => JSON.parse(text) as unknown);
const leads = fc
  .record({
    email: fc.emailAddress(),
    fields: fc.dictionary(fc.string({ minLength: 1, maxLength: 20 }), fc.string({ unit: 'grapheme', maxLength: 200 })),
    consents: fc.dictionary(fc.string({ minLength: 1, maxLength: 20 }), json),
    submissions: fc.array(json, { maxLength: 5 }),
    doNotSellOrShare: fc.boolean(),
    createdAt: fc.constant('2026-12-01T10:00:00.000Z'),
    updatedAt: fc.constant('2026-12-01T10:00:00.000Z'),
    expiresAt: fc.integer({ min: 0, max: 2 ** 31 }),
    extra: json,
  })
  .map((lead) => ({ leadId, ...lead }) as unknown as Lead);

describe('the packed lead item', () => {
  it('reads back exactly what was packed, whatever the lead holds', () => {
    fc.assert(
      fc.property(leads, fc.integer({ min: 1, max: 1000 }), (lead, version) => {
        const item = leadItem(lead, {}, version);
        expect(leadOfItem(item, leadId)).toEqual({ lead, version });
        expect(readableItem(item)).toMatchObject({ ...lead, version, itemType: 'lead' });
        expect(item.expiresAt).toBe(lead.expiresAt);
      }),
    );
  });

  it('keeps nothing of the lead plain but its keys, retention, index keys and version', () => {
    fc.assert(
      fc.property(leads, (lead) => {
        const outbox = [{ id: 'evt_1' }] as unknown as PendingEvent[];
        const item = leadItem(lead, { slaPartition: 'SLA', slaDue: 1 }, 2, outbox);
        expect(Object.keys(item).sort()).toEqual(['expiresAt', 'itemType', 'packed', 'packedOutbox', 'pk', 'sk', 'slaDue', 'slaPartition', 'version']);
        expect(leadOfItem(item, leadId).outbox).toEqual(outbox);
      }),
    );
  });
});
