import { describe, expect, it } from 'vitest';
import { consentEventItems, consentEventsOf } from '../../shared/adapters/dynamo-consent-events';
import type { ConsentEvent } from '../../shared/domain/core/lead';

const leadId = 'f'.repeat(64);
const event = (purpose: string, at = '2026-12-01T10:00:00.000Z', submissionId = 'sub_1'): ConsentEvent => ({
  type: 'consent.granted',
  leadId,
  purpose,
  at,
  formId: 'contact',
  submissionId,
  consentTextVersion: '2026-11-01',
  textSha256: 'c'.repeat(64),
  method: 'form_checkbox',
  gpc: false,
  expiresAt: 1_811_648_467,
});

/** DynamoDB's size of an item, near enough: names plus values (strings and numbers as written). */
const approximateSize = (item: Record<string, unknown>): number => JSON.stringify(item).length;

describe('consent event items', () => {
  it('keeps the purposes one change decided in one item under 1 KB (one write unit), and gives back exactly what was written', () => {
    const events = [event('sales_contact'), event('marketing_email'), event('product_updates')];
    const items = consentEventItems(events);
    expect(items).toHaveLength(1);
    expect(approximateSize(items[0]!)).toBeLessThan(1024);
    expect(JSON.stringify(consentEventsOf(items[0]!, leadId))).toBe(JSON.stringify(events));
  });

  it('writes a single event as it always was, and reads items written before grouping', () => {
    const single = event('sales_contact');
    const [item] = consentEventItems([single]);
    expect(item).toMatchObject({ itemType: 'consent_event', sk: `EVENT#${single.at}#${single.submissionId}#sales_contact`, ...single });
    expect(consentEventsOf(item!, leadId)).toEqual([single]);
  });

  it('never groups events of different changes, so no change overwrites another', () => {
    const items = consentEventItems([event('sales_contact'), event('sales_contact', '2026-12-01T10:00:00.001Z'), event('marketing_email', undefined, 'sub_2')]);
    expect(items).toHaveLength(3);
    expect(new Set(items.map((item) => item.sk)).size).toBe(3);
  });
});
