import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfigFile, parseConfig } from '../../shared/config/load';

const example = () => parse(readFileSync('leadgate.config.yaml', 'utf8'));

function problemsOf(document: unknown): string[] {
  try {
    parseConfig(document);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected the configuration to be refused');
}

describe('configuration', () => {
  it('accepts the shipped example with what later features rely on', () => {
    const config = loadConfigFile('leadgate.config.yaml');
    expect(Object.keys(config.purposes)).toEqual(['marketing_email', 'sales_contact']);
    expect(Object.keys(config.forms.contact!.fields)).toEqual(['email', 'firstName', 'lastName', 'company', 'jobTitle', 'country', 'phone', 'message']);
    expect(config.forms.contact).toMatchObject({ retentionDays: 180, honeypotField: 'website', doubleOptIn: false });
    expect(config.forms.contact!.purposes).toEqual({ marketing_email: { required: false }, sales_contact: { required: false } });
    expect(config.forms.newsletter).toMatchObject({ retentionDays: 365, doubleOptIn: true, purposes: { marketing_email: { required: true } } });
    expect(Object.keys(config.forms.newsletter!.fields)).toEqual(['email']);
    expect(config.organization.postalAddress).toMatch(/Street/);
    expect(config.retention).toEqual({ unconfirmedDays: 7, withdrawnGraceDays: 30 });
  });

  it('names a bad field type by its path and lists the allowed types', () => {
    const document = example();
    document.forms.contact.fields.email.type = 'mail';
    expect(problemsOf(document)).toContain('forms.contact.fields.email.type: expected one of text, email, tel, country, textarea, url');
  });

  it('lists every problem at once, not just the first', () => {
    const document = example();
    document.forms.contact.fields.phone.type = 'telephone';
    document.forms.contact.retentionDays = 0;
    document.forms.newsletter.purposes = { newsletter_email: { required: true } };
    delete document.organization.postalAddress;
    const problems = problemsOf(document);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^forms\.contact\.fields\.phone\.type: /),
        expect.stringMatching(/^forms\.contact\.retentionDays: /),
        expect.stringMatching(/^forms\.newsletter\.purposes\.newsletter_email: unknown purpose/),
        expect.stringMatching(/^organization\.postalAddress: /),
      ]),
    );
  });

  it('refuses a From address the SES identity does not cover, and accepts a subdomain of it', () => {
    const document = example();
    document.sender.fromAddress = 'hello@example.net';
    expect(problemsOf(document)).toContainEqual(
      expect.stringMatching(/^sender\.fromAddress: "hello@example\.net" is not covered by sender\.identity "example\.com"/),
    );
    document.sender.identity = 'news@example.com';
    document.sender.fromAddress = 'other@example.com';
    expect(problemsOf(document)).toContainEqual(expect.stringMatching(/^sender\.fromAddress: .*use an address at news@example\.com/));
    document.sender.identity = 'example.com';
    document.sender.fromAddress = 'hello@mail.example.com';
    expect(() => parseConfig(document)).not.toThrow();
  });

  it('gives mail a stranger can cause safe default budgets', () => {
    expect(loadConfigFile('leadgate.config.yaml').mailBudget).toEqual({
      perIpPerHour: 10,
      perIpPerHourWithHumanCheck: 100,
      perDomainPerHour: 20,
      globalPerHour: 300,
      requireHumanCheck: false,
      breaker: { bounceRate: 0.02, windowMinutes: 60, minimumSent: 50 },
    });
  });

  it('refuses requiring a human check for mail when Turnstile is off', () => {
    const document = example();
    document.mailBudget.requireHumanCheck = true;
    expect(problemsOf(document)).toContainEqual(expect.stringMatching(/^mailBudget\.requireHumanCheck: needs screening\.turnstile\.enabled/));
  });

  it('refuses unknown keys, so a typo is not silently ignored', () => {
    const document = example();
    document.forms.contact.retentionDay = 30;
    expect(problemsOf(document)).toEqual(expect.arrayContaining([expect.stringMatching(/^forms\.contact: .*retentionDay/)]));
  });

  it('requires every form to declare a required email field', () => {
    const document = example();
    delete document.forms.newsletter.fields.email;
    expect(problemsOf(document)).toContainEqual(expect.stringMatching(/^forms\.newsletter\.fields\.email: every form declares/));
  });

  it('refuses fields that shadow the names the endpoint reads itself', () => {
    const document = example();
    document.forms.contact.fields.consent = { type: 'text', label: 'Consent' };
    document.forms.contact.honeypotField = 'company';
    const problems = problemsOf(document);
    expect(problems).toContainEqual(expect.stringMatching(/^forms\.contact\.fields\.consent: .*reserved/));
    expect(problems).toContainEqual(expect.stringMatching(/^forms\.contact\.honeypotField: /));
  });

  it('reports unreadable files and YAML syntax errors as configuration errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leadgate-config-'));
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'forms: [unclosed');
    expect(() => loadConfigFile(file)).toThrow(ConfigError);
    expect(() => loadConfigFile(join(dir, 'missing.yaml'))).toThrow(/cannot read/);
  });
});
