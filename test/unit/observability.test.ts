import { describe, expect, it } from 'vitest';
import { maskPersonalData } from '../../shared/adapters/logger';

describe('log masking', () => {
  it('masks emails and phone numbers anywhere, and whole values under personal keys', () => {
    expect(
      maskPersonalData({
        message: 'hello',
        detail: 'failed for ada@example.com, call +44 20 7946 0958',
        nested: { email: 'x', firstName: 'Ada', count: 3, at: '2026-11-23T10:00:00.000Z' },
        list: ['bob@example.org'],
      }),
    ).toEqual({
      message: '[redacted]',
      detail: 'failed for [email], call [number]',
      nested: { email: '[redacted]', firstName: '[redacted]', count: 3, at: '2026-11-23T10:00:00.000Z' },
      list: ['[email]'],
    });
  });

  it('keeps ids and counts readable', () => {
    const ids = { submissionId: 'sub_b5d20b48-bfad-4919-9fde-6f53b7c0d867', formId: 'contact', queued: 12 };
    expect(maskPersonalData(ids)).toEqual(ids);
  });
});

describe('screening metrics', () => {
  it('counts each submission once: accepted or quarantined when first routed, never on redelivery', async () => {
    const { submissionOutcome } = await import('../../shared/adapters/metrics');
    expect(submissionOutcome('assigned')).toBe('accepted');
    expect(submissionOutcome('no_consent')).toBe('accepted');
    expect(submissionOutcome('quarantined')).toBe('quarantined');
    expect(submissionOutcome('already_routed')).toBeUndefined();
    expect(submissionOutcome('lead_gone')).toBeUndefined();
  });
});
