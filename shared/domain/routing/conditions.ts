import { isFreeMailDomain, type LeadFacts } from './lead-facts';
import type { Condition } from '../core/settings';

/** A compiled condition: closures built once from config, so evaluating one costs a few calls. */
export type Test = (facts: LeadFacts, score: number) => boolean;

function fieldTest(field: string, condition: Condition): Test {
  if (condition.present !== undefined) {
    const wanted = condition.present;
    return (facts) => (facts.fields[field] !== undefined) === wanted;
  }
  if (condition.equals !== undefined) {
    const wanted = condition.equals.toLowerCase();
    return (facts) => facts.fields[field]?.toLowerCase() === wanted;
  }
  if (condition.in !== undefined) {
    const values = new Set(condition.in.map((value) => value.toLowerCase()));
    return (facts) => {
      const value = facts.fields[field];
      return value !== undefined && values.has(value.toLowerCase());
    };
  }
  if (condition.matches !== undefined) {
    const pattern = new RegExp(condition.matches, 'i');
    return (facts) => {
      const value = facts.fields[field];
      return value !== undefined && pattern.test(value);
    };
  }
  return () => true;
}

export function compileCondition(condition: Condition): Test {
  const tests: Test[] = [];
  if (condition.form !== undefined) {
    const forms = new Set([condition.form].flat());
    tests.push((facts) => forms.has(facts.formId));
  }
  if (condition.field !== undefined) tests.push(fieldTest(condition.field, condition));
  if (condition.emailDomain !== undefined) {
    const free = condition.emailDomain === 'free_mail';
    tests.push((facts) => isFreeMailDomain(facts.emailDomain) === free);
  }
  if (condition.score !== undefined) {
    const { gte = -Infinity, lt = Infinity } = condition.score;
    tests.push((_, score) => score >= gte && score < lt);
  }
  if (tests.length === 1) return tests[0] as Test;
  return (facts, score) => {
    for (const test of tests) if (!test(facts, score)) return false;
    return true;
  };
}
