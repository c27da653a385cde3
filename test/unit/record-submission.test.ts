import { describe, expect, it } from 'vitest';
import { recordSubmission, sha256Hex } from '../../shared/domain/capture/record-submission';
import { epochSeconds } from '../../shared/domain/core/retention';
import type { Submission } from '../../shared/domain/capture/submission';
import { exampleConfig } from '../support/example-config';

const DAY = 86_400;
const t0 = new Date('2026-11-23T10:00:00Z');
const later = new Date('2026-12-01T09:30:00Z');

const submission = (overrides: Partial<Submission> = {}): Submission => ({
  formId: 'contact',
  email: 'ada@example.com',
  fields: { email: 'ada@example.com', firstName: 'Ada' },
  grantedPurposes: [],
  attribution: {},
  gpc: false,
  ...overrides,
});

const context = (formId: 'contact' | 'newsletter', submissionId: string, at: Date) => ({
  settings: exampleConfig,
  form: exampleConfig.forms[formId]!,
  leadId: 'lead-1',
  submissionId,
  at,
});

describe('recordSubmission', () => {
  it('records each asked purpose with the exact text version and its hash, and retention from the form', () => {
    const { lead, events } = recordSubmission(undefined, submission({ grantedPurposes: ['sales_contact'] }), context('contact', 's1', t0));
    const text = exampleConfig.purposes.sales_contact!.consentText;
    expect(lead.consents.sales_contact).toEqual({
      status: 'granted',
      granted: true,
      at: t0.toISOString(),
      formId: 'contact',
      submissionId: 's1',
      consentTextVersion: text.version,
      textSha256: sha256Hex(text.text),
      method: 'form_checkbox',
    });
    expect(lead.consents.marketing_email).toMatchObject({ status: 'declined', granted: false });
    expect(events.map((e) => [e.type, e.purpose])).toEqual([
      ['consent.declined', 'marketing_email'],
      ['consent.granted', 'sales_contact'],
    ]);
    expect(lead.expiresAt).toBe(epochSeconds(t0) + 180 * DAY);
    expect(events.every((e) => e.expiresAt === lead.expiresAt)).toBe(true);
  });

  it('keeps an earlier grant when a later submission does not tick the box (not ticking is not withdrawing)', () => {
    const first = recordSubmission(undefined, submission({ grantedPurposes: ['marketing_email'] }), context('contact', 's1', t0)).lead;
    const { lead, events } = recordSubmission(first, submission({ fields: { email: 'ada@example.com', company: 'Engines' } }), context('contact', 's2', later));
    expect(lead.consents.marketing_email).toMatchObject({ status: 'granted', submissionId: 's1', at: t0.toISOString() });
    expect(events.map((e) => e.purpose)).toEqual([]);
    expect(lead.fields).toEqual({ email: 'ada@example.com', firstName: 'Ada', company: 'Engines' });
    expect(lead.submissions.map((s) => s.submissionId)).toEqual(['s1', 's2']);
    expect(lead.createdAt).toBe(t0.toISOString());
  });

  it('holds double opt-in consent as pending and keeps an unconfirmed lead only the unconfirmed period', () => {
    const { lead, events } = recordSubmission(
      undefined,
      submission({ formId: 'newsletter', fields: { email: 'ada@example.com' }, grantedPurposes: ['marketing_email'] }),
      context('newsletter', 's1', t0),
    );
    expect(lead.consents.marketing_email).toMatchObject({ status: 'pending_confirmation', granted: false, method: 'double_opt_in' });
    expect(events.map((e) => e.type)).toEqual(['consent.pending_confirmation']);
    expect(lead.expiresAt).toBe(epochSeconds(t0) + 7 * DAY);
  });

  it('never shortens retention that an earlier submission set', () => {
    const first = recordSubmission(undefined, submission(), context('contact', 's1', t0)).lead;
    const { lead } = recordSubmission(
      first,
      submission({ formId: 'newsletter', fields: { email: 'ada@example.com' }, grantedPurposes: ['marketing_email'] }),
      context('newsletter', 's2', later),
    );
    expect(lead.expiresAt).toBe(first.expiresAt);
  });

  it('keeps the GPC opt-out once given', () => {
    const first = recordSubmission(undefined, submission({ gpc: true }), context('contact', 's1', t0)).lead;
    const { lead } = recordSubmission(first, submission({ gpc: false }), context('contact', 's2', later));
    expect(lead.doNotSellOrShare).toBe(true);
    expect(lead.submissions.map((s) => s.gpc)).toEqual([true, false]);
  });

  it('changes nothing when the lead already holds the submission, and yields the same events again', () => {
    const input = submission({ grantedPurposes: ['sales_contact'] });
    const first = recordSubmission(undefined, input, context('contact', 's1', t0));
    const again = recordSubmission(first.lead, input, context('contact', 's1', t0));
    expect(again.changed).toBe(false);
    expect(again.lead).toBe(first.lead);
  });
});
