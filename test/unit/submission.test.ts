import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LeadgateError } from '../../shared/domain/core/errors';
import { parseSubmission, type RawBody, type Submission } from '../../shared/domain/capture/submission';
import { CONSENT_VERSION, exampleConfig } from '../support/example-config';

const contact = exampleConfig.forms.contact!;
const newsletter = exampleConfig.forms.newsletter!;

function accept(body: RawBody, form = contact, formId = 'contact', gpc = false): Submission {
  const parsed = parseSubmission(exampleConfig, formId, form, body, gpc);
  if (parsed.kind !== 'submission') throw new Error(`expected a submission, got ${parsed.kind}`);
  return parsed.submission;
}

function refuse(body: RawBody, form = contact, formId = 'contact'): Record<string, string> {
  try {
    parseSubmission(exampleConfig, formId, form, body, false);
  } catch (error) {
    expect(error).toBeInstanceOf(LeadgateError);
    expect((error as LeadgateError).code).toBe('validation_failed');
    return (error as LeadgateError).fields ?? {};
  }
  throw new Error('expected the submission to be refused');
}

describe('parseSubmission', () => {
  it('keeps declared fields only, normalized, and drops everything else', () => {
    const submission = accept({
      email: '  Ada@Example.COM ',
      firstName: ' Ada ',
      country: 'gb',
      dateOfBirth: '1815-12-10',
      ip: '203.0.113.9',
      website: '',
    });
    expect(submission.email).toBe('ada@example.com');
    expect(submission.fields).toEqual({ email: 'ada@example.com', firstName: 'Ada', country: 'GB' });
    expect(submission.grantedPurposes).toEqual([]);
  });

  it('treats empty strings as absent, as HTML forms send them', () => {
    expect(accept({ email: 'a@example.com', company: '', phone: '   ' }).fields).toEqual({ email: 'a@example.com' });
  });

  it('reports every invalid field by name', () => {
    const fields = refuse({
      firstName: 'x'.repeat(101),
      country: 'Germany',
      phone: 'call me',
      message: 'hello\u0000',
    });
    expect(Object.keys(fields).sort()).toEqual(['country', 'email', 'firstName', 'message', 'phone']);
    expect(fields.email).toBe('is required');
    expect(fields.country).toMatch(/ISO 3166-1 alpha-2/);
    expect(fields.firstName).toMatch(/at most 100/);
  });

  it('refuses line breaks in single-line fields (they reach email headers) but allows them in a message', () => {
    expect(refuse({ email: 'a@example.com', company: 'ACME\r\nBcc: x@example.com' })).toHaveProperty('company');
    expect(accept({ email: 'a@example.com', message: 'line one\r\nline two' }).fields.message).toBe('line one\r\nline two');
  });

  it('refuses a repeated or non-text value for a single field', () => {
    expect(refuse({ email: ['a@example.com', 'b@example.com'] })).toEqual({ email: 'must be a single value' });
    expect(refuse({ email: 'a@example.com', company: { $gt: '' } })).toEqual({ company: 'must be text' });
  });

  it('records the purposes ticked, from repeated fields or a JSON array', () => {
    const body = { email: 'a@example.com', consentVersion: CONSENT_VERSION };
    expect(accept({ ...body, consent: ['sales_contact', 'marketing_email', 'sales_contact'] }).grantedPurposes).toEqual(['marketing_email', 'sales_contact']);
    expect(accept({ ...body, consent: 'sales_contact' }).grantedPurposes).toEqual(['sales_contact']);
    expect(accept({ ...body, consent: ['marketing_email'], consentVersion: { marketing_email: CONSENT_VERSION } }).grantedPurposes).toEqual([
      'marketing_email',
    ]);
  });

  it('refuses consent without, or with a stale, consent text version', () => {
    expect(refuse({ email: 'a@example.com', consent: 'sales_contact' })).toHaveProperty('consentVersion');
    expect(refuse({ email: 'a@example.com', consent: 'sales_contact', consentVersion: '2020-01-01' }).consentVersion).toMatch(
      /not the current consent text version for sales_contact/,
    );
  });

  it('refuses purposes the form does not ask for, and missing required ones', () => {
    expect(refuse({ email: 'a@example.com', consent: 'sales_contact', consentVersion: CONSENT_VERSION }, newsletter, 'newsletter').consent).toMatch(
      /does not ask for "sales_contact"/,
    );
    expect(refuse({ email: 'a@example.com' }, newsletter, 'newsletter').consent).toBe(
      'this form needs your agreement to: Occasional marketing emails about our products and events.',
    );
  });

  it('validates a filled honeypot like any post, so its answer is the one a person would get', () => {
    expect(() => parseSubmission(exampleConfig, 'contact', contact, { website: 'http://spam.example', email: 'nope' }, false)).toThrow(/missing or invalid/);
    expect(parseSubmission(exampleConfig, 'contact', contact, { website: 'http://spam.example', email: 'bot@example.com' }, false)).toMatchObject({
      kind: 'honeypot',
      submission: { email: 'bot@example.com' },
    });
  });

  it('keeps utm attribution and the GPC signal', () => {
    const submission = accept({ email: 'a@example.com', utm_source: 'newsletter', utm_medium: 'x'.repeat(500) }, contact, 'contact', true);
    expect(submission.attribution).toEqual({ utm_source: 'newsletter' });
    expect(submission.gpc).toBe(true);
  });

  it('treats __proto__ and constructor keys as plain undeclared data', () => {
    const body = JSON.parse('{"email":"a@example.com","__proto__":{"firstName":"Injected"},"constructor":"x"}') as RawBody;
    expect(accept(body).fields).toEqual({ email: 'a@example.com' });
  });

  it('property: any body either yields only declared fields or a validation error, never anything else', () => {
    const declared = Object.keys(contact.fields);
    const key = fc.oneof(fc.constantFrom(...declared, 'consent', 'consentVersion', 'website', '__proto__'), fc.string());
    const value = fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 3 }), fc.integer(), fc.constant(null), fc.emailAddress());
    fc.assert(
      fc.property(fc.dictionary(key, value), (body) => {
        try {
          const parsed = parseSubmission(exampleConfig, 'contact', contact, body, false);
          if (parsed.kind === 'submission') {
            for (const name of Object.keys(parsed.submission.fields)) expect(declared).toContain(name);
            expect(parsed.submission.fields.email).toBe(parsed.submission.email);
          }
        } catch (error) {
          expect(error).toBeInstanceOf(LeadgateError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
