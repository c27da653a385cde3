import { compileCondition } from './conditions';
import type { LeadFacts } from './lead-facts';
import type { ScoringSettings } from '../core/settings';

export interface ScoreReason {
  rule: string;
  points: number;
  reason: string;
}

export interface LeadScore {
  /** 0-100: the sum of the points of every rule that fired, clamped. */
  score: number;
  /** Every rule that fired, in config order: the whole explanation of the score. */
  reasons: ScoreReason[];
}

export type ScoreLead = (facts: LeadFacts) => LeadScore;

/** Compiles the scoring rules once; the returned function scores a lead without parsing anything. */
export function compileScoring(settings: ScoringSettings): ScoreLead {
  const rules = settings.rules.map((rule) => ({
    test: compileCondition(rule.when),
    reason: Object.freeze({ rule: rule.id, points: rule.points, reason: rule.reason }),
  }));
  return (facts) => {
    let total = 0;
    const reasons: ScoreReason[] = [];
    for (const rule of rules) {
      if (rule.test(facts, 0)) {
        total += rule.reason.points;
        reasons.push(rule.reason);
      }
    }
    return { score: total < 0 ? 0 : Math.min(total, 100), reasons };
  };
}
