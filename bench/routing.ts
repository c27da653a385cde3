import { Engine, type RuleProperties } from 'json-rules-engine';
import type { LeadgateConfig } from '../shared/config/schema';
import type { LeadFacts } from '../shared/domain/routing/lead-facts';
import { isFreeMailDomain } from '../shared/domain/routing/lead-facts';
import { compileRouting, rotation } from '../shared/domain/routing/routing';
import { compileScoring } from '../shared/domain/routing/scoring';
import type { Condition } from '../shared/domain/core/settings';

export interface Decision {
  score: number;
  reasons: string;
  team: string;
  rep: string;
}

/** Leadgate's compiled rules, with an in-memory turn counter per team standing in for DynamoDB. */
export function leadgateDecider(config: LeadgateConfig, at: Date) {
  const score = compileScoring(config.scoring);
  const chooseTeam = compileRouting(config.routing);
  const rotations = new Map(Object.entries(config.routing.teams).map(([id, team]) => [id, rotation(team, at)]));
  const turns = new Map<string, number>();
  return (facts: LeadFacts): Decision => {
    const scored = score(facts);
    const team = chooseTeam(facts, scored.score);
    const order = rotations.get(team)!;
    const turn = turns.get(team) ?? 0;
    turns.set(team, turn + 1);
    return { score: scored.score, reasons: scored.reasons.map((r) => r.rule).join(','), team, rep: order[turn % order.length]! };
  };
}

function toJsonRulesConditions(condition: Condition): RuleProperties['conditions'] {
  const all: { fact: string; operator: string; value: unknown; path?: string }[] = [];
  if (condition.form !== undefined) all.push({ fact: 'formId', operator: 'in', value: [condition.form].flat() });
  if (condition.field !== undefined) {
    const fact = `field_${condition.field}`;
    if (condition.present !== undefined) all.push({ fact, operator: 'isPresent', value: condition.present });
    if (condition.equals !== undefined) all.push({ fact, operator: 'equalsIgnoreCase', value: condition.equals });
    if (condition.in !== undefined) all.push({ fact, operator: 'inIgnoreCase', value: condition.in });
    if (condition.matches !== undefined) all.push({ fact, operator: 'matches', value: condition.matches });
  }
  if (condition.emailDomain !== undefined) all.push({ fact: 'freeMail', operator: 'equal', value: condition.emailDomain === 'free_mail' });
  if (condition.score?.gte !== undefined) all.push({ fact: 'score', operator: 'greaterThanInclusive', value: condition.score.gte });
  if (condition.score?.lt !== undefined) all.push({ fact: 'score', operator: 'lessThan', value: condition.score.lt });
  return { all };
}

/** The same decisions made by json-rules-engine: the usual general-purpose choice. */
export function jsonRulesDecider(config: LeadgateConfig, at: Date) {
  const options = { allowUndefinedFacts: true };
  const scoring = new Engine([], options);
  const routing = new Engine([], options);
  const patterns = new Map<string, RegExp>(); // compiled once, as ours are: a fair comparison
  for (const engine of [scoring, routing]) {
    engine.addOperator('isPresent', (value: unknown, wanted: boolean) => (value !== undefined && value !== null) === wanted);
    engine.addOperator('matches', (value: unknown, pattern: string) => {
      if (typeof value !== 'string') return false;
      let regex = patterns.get(pattern);
      if (!regex) {
        regex = new RegExp(pattern, 'i');
        patterns.set(pattern, regex);
      }
      return regex.test(value);
    });
    engine.addOperator('equalsIgnoreCase', (value: unknown, wanted: string) => typeof value === 'string' && value.toLowerCase() === wanted.toLowerCase());
    engine.addOperator(
      'inIgnoreCase',
      (value: unknown, list: string[]) => typeof value === 'string' && list.some((item) => item.toLowerCase() === value.toLowerCase()),
    );
  }
  config.scoring.rules.forEach((rule, index) => {
    scoring.addRule({
      name: rule.id,
      priority: 1000 - index,
      conditions: toJsonRulesConditions(rule.when),
      event: { type: rule.id, params: { points: rule.points } },
    });
  });
  config.routing.rules.forEach((rule, index) => {
    routing.addRule({
      priority: 1000 - index,
      conditions: toJsonRulesConditions(rule.when),
      event: { type: 'team', params: { team: rule.team, order: index } },
    });
  });
  const rotations = new Map(Object.entries(config.routing.teams).map(([id, team]) => [id, rotation(team, at)]));
  const turns = new Map<string, number>();
  return async (facts: LeadFacts): Promise<Decision> => {
    const input: Record<string, unknown> = { formId: facts.formId, freeMail: isFreeMailDomain(facts.emailDomain) };
    for (const [name, value] of Object.entries(facts.fields)) input[`field_${name}`] = value;
    const scored = await scoring.run(input);
    const fired = scored.events.map((event) => event.type);
    const order = config.scoring.rules.map((rule) => rule.id).filter((id) => fired.includes(id));
    const total = scored.events.reduce((sum, event) => sum + (event.params?.points as number), 0);
    const score = Math.min(100, Math.max(0, total));
    const routed = await routing.run({ ...input, score });
    const first = routed.events.sort((a, b) => (a.params?.order as number) - (b.params?.order as number))[0];
    const team = (first?.params?.team as string | undefined) ?? config.routing.fallbackTeam;
    const rotationOrder = rotations.get(team)!;
    const turn = turns.get(team) ?? 0;
    turns.set(team, turn + 1);
    return { score, reasons: order.join(','), team, rep: rotationOrder[turn % rotationOrder.length]! };
  };
}
