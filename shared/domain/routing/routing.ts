import { compileCondition } from './conditions';
import type { LeadFacts } from './lead-facts';
import type { RepSettings, RoutingSettings, TeamSettings } from '../core/settings';

export type ChooseTeam = (facts: LeadFacts, score: number) => string;

/** Compiles the routing rules once: the first rule that matches names the team, else the fallback. */
export function compileRouting(settings: RoutingSettings): ChooseTeam {
  const rules = settings.rules.map((rule) => ({ test: compileCondition(rule.when), team: rule.team }));
  const fallback = settings.fallbackTeam;
  return (facts, score) => {
    for (const rule of rules) if (rule.test(facts, score)) return rule.team;
    return fallback;
  };
}

const day = (at: Date): string => at.toISOString().slice(0, 10);

export function isAvailable(rep: RepSettings, at: Date): boolean {
  const today = day(at);
  return !rep.unavailable.some((range) => range.from <= today && today <= range.to);
}

/**
 * The order in which a team's available reps take turns. Round robin and capacity go through
 * the reps in config order; weighted interleaves them in proportion to their weights (smooth
 * weighted round robin, so weights 2:1 give A, B, A rather than A, A, B).
 */
export function rotation(team: TeamSettings, at: Date): string[] {
  const reps = team.reps.filter((rep) => isAvailable(rep, at));
  if (team.strategy !== 'weighted') return reps.map((rep) => rep.email);
  const total = reps.reduce((sum, rep) => sum + rep.weight, 0);
  const current = reps.map(() => 0);
  const order: string[] = [];
  for (let i = 0; i < total; i++) {
    let best = 0;
    reps.forEach((rep, index) => {
      current[index]! += rep.weight;
      if (current[index]! > current[best]!) best = index;
    });
    current[best]! -= total;
    order.push(reps[best]!.email);
  }
  return order;
}

/** Finds the team a rep belongs to (the first, if several) and the rep's settings. */
export function findRep(settings: RoutingSettings, email: string): { teamId: string; rep: RepSettings } | undefined {
  for (const [teamId, team] of Object.entries(settings.teams)) {
    const rep = team.reps.find((r) => r.email === email);
    if (rep) return { teamId, rep };
  }
  return undefined;
}
