import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type ConfigError, parseConfig } from '../../shared/config/load';
import { isFreeMailDomain } from '../../shared/domain/routing/lead-facts';
import { isProtectedAttribute } from '../../shared/domain/routing/protected-attributes';
import { compileRouting, rotation } from '../../shared/domain/routing/routing';
import { compileScoring } from '../../shared/domain/routing/scoring';
import type { TeamSettings } from '../../shared/domain/core/settings';
import { exampleConfig } from '../support/example-config';

const score = compileScoring(exampleConfig.scoring);
const chooseTeam = compileRouting(exampleConfig.routing);
const facts = (fields: Record<string, string>, formId = 'contact') => ({
  formId,
  fields: { email: 'x@engines.example', ...fields },
  emailDomain: (fields.email ?? 'x@engines.example').split('@')[1]!,
});

describe('scoring', () => {
  it('explains every point: the score is the sum of the reasons', () => {
    const result = score(facts({ company: 'Engines', jobTitle: 'VP Engineering', phone: '+1 555 0100' }));
    expect(result.reasons.map((r) => r.rule)).toEqual(['corporate_email', 'contact_form', 'named_company', 'senior_role', 'phone_given']);
    expect(result.score).toBe(result.reasons.reduce((sum, r) => sum + r.points, 0));
  });

  it('tells free mail from corporate domains and clamps the score to 0-100', () => {
    expect(score(facts({ email: 'someone@gmail.com' }, 'newsletter'))).toEqual({
      score: 0,
      reasons: [{ rule: 'free_mail', points: -10, reason: 'Uses a free email provider' }],
    });
    const maxed = compileScoring({ rules: [1, 2, 3].map((i) => ({ id: `r${i}`, when: { form: 'contact' }, points: 50, reason: 'big' })) });
    expect(maxed(facts({})).score).toBe(100);
  });

  it('never counts names reserved for examples and tests (RFC 2606, 6761) as free mail', () => {
    expect(score(facts({ email: 'ada@example.com' }, 'newsletter')).reasons.map((r) => r.rule)).toEqual(['corporate_email']);
    expect(isFreeMailDomain('example.com')).toBe(false);
    expect(isFreeMailDomain('mail.test')).toBe(false);
    expect(isFreeMailDomain('gmail.com')).toBe(true);
  });

  it('matches patterns case-insensitively on word boundaries', () => {
    expect(score(facts({ jobTitle: 'chief of staff' })).reasons.map((r) => r.rule)).toContain('senior_role');
    expect(score(facts({ jobTitle: 'Headhunter' })).reasons.map((r) => r.rule)).not.toContain('senior_role');
  });
});

describe('routing', () => {
  it('takes the first matching rule, else the fallback team', () => {
    expect(chooseTeam(facts({ country: 'DE' }), 0)).toBe('emea');
    expect(chooseTeam(facts({ country: 'mx' }), 0)).toBe('americas');
    expect(chooseTeam(facts({ country: 'JP' }), 0)).toBe('global');
    expect(chooseTeam(facts({}), 0)).toBe('global');
  });

  it('interleaves a weighted rotation in proportion to the weights', () => {
    const team: TeamSettings = {
      strategy: 'weighted',
      slaHours: 4,
      reps: [
        { email: 'a', weight: 3, unavailable: [] },
        { email: 'b', weight: 1, unavailable: [] },
        { email: 'c', weight: 2, unavailable: [] },
      ],
    };
    const order = rotation(team, new Date('2026-11-23T10:00:00Z'));
    expect(order.filter((r) => r === 'a')).toHaveLength(3);
    expect(order.filter((r) => r === 'c')).toHaveLength(2);
    expect(order.filter((r) => r === 'b')).toHaveLength(1);
    expect(order.slice(0, 2)).not.toEqual(['a', 'a']);
  });

  it('skips reps on leave, day by day', () => {
    const team: TeamSettings = {
      strategy: 'round_robin',
      slaHours: 4,
      reps: [
        { email: 'a', weight: 1, unavailable: [{ from: '2026-11-20', to: '2026-11-23' }] },
        { email: 'b', weight: 1, unavailable: [] },
      ],
    };
    expect(rotation(team, new Date('2026-11-23T23:00:00Z'))).toEqual(['b']);
    expect(rotation(team, new Date('2026-11-24T00:00:00Z'))).toEqual(['a', 'b']);
  });
});

describe('protected attributes', () => {
  it.each([
    'age',
    'ageRange',
    'dateOfBirth',
    'dob',
    'gender',
    'sex',
    'race',
    'ethnicity',
    'religion',
    'healthStatus',
    'disability',
    'sexual_orientation',
    'maritalStatus',
    'pregnant',
    'nationality',
    'firstName',
    'first_name',
    'postcode',
    'postalCode',
    'zip',
  ])('recognises %s', (name) => expect(isProtectedAttribute(name)).toBe(true));

  it.each(['message', 'company', 'jobTitle', 'country', 'usage', 'language', 'lastName', 'page'])('allows %s', (name) => {
    expect(isProtectedAttribute(name)).toBe(false);
  });

  it('is refused at config load, with the path and a clear message', () => {
    const document = parse(readFileSync('leadgate.config.yaml', 'utf8'));
    document.forms.contact.fields.gender = { type: 'text', label: 'Gender' };
    document.forms.contact.fields.firstName = { type: 'text', label: 'First name' };
    document.scoring.rules.push({ id: 'by_gender', when: { field: 'gender', equals: 'x' }, points: 5, reason: 'no' });
    document.routing.rules.unshift({ when: { field: 'firstName', matches: '^A' }, team: 'emea' });
    let problems: string[] = [];
    try {
      parseConfig(document);
    } catch (error) {
      problems = (error as ConfigError).problems;
    }
    expect(problems).toContain(
      'scoring.rules.7.when.field: "gender" is a protected or sensitive attribute (or a proxy for one); rules may not score or route on it',
    );
    expect(problems).toContainEqual(expect.stringMatching(/^routing\.rules\.0\.when\.field: "firstName" is a protected/));
  });

  it('refuses rules on undeclared fields, unknown teams and a capacity team without a cap', () => {
    const document = parse(readFileSync('leadgate.config.yaml', 'utf8'));
    document.scoring.rules.push({ id: 'budget', when: { field: 'budget', present: true }, points: 5, reason: 'has budget' });
    document.routing.rules.push({ when: { form: 'contact' }, team: 'apac' });
    document.routing.teams.global.strategy = 'capacity';
    expect(() => parseConfig(document)).toThrow(/no form declares a field "budget"[\s\S]*unknown team "apac"[\s\S]*needs a dailyCap/);
  });
});
