/**
 * The privacy budget of a reporting period: every private release spends its epsilon, and a
 * release that would take the period past its budget is refused. Kept in millionths of epsilon,
 * so adding up releases never drifts.
 */
export interface BudgetRelease {
  /** What was released (a report and its parameters), for the ledger's reader. */
  what: string;
  microEpsilon: number;
  at: string;
}

export interface BudgetLedger {
  /**
   * Records the release if the period's spending stays within `budgetMicro` with it, in one
   * conditional write: true if recorded, false (nothing recorded) if it would go past.
   */
  spend(period: string, release: BudgetRelease, budgetMicro: number): Promise<boolean>;
  /** The period's releases, oldest first, and what they spent. */
  ledger(period: string): Promise<{ spentMicro: number; releases: BudgetRelease[] }>;
}

export class PrivacyBudgetExceeded extends Error {
  override name = 'PrivacyBudgetExceeded';
}

export const toMicro = (epsilon: number): number => Math.round(epsilon * 1_000_000);
const fromMicro = (micro: number): string => String(micro / 1_000_000);

const refusal = (period: string, budget: number, microEpsilon: number, spentMicro: number) =>
  new PrivacyBudgetExceeded(
    `Refused: releasing with epsilon ${fromMicro(microEpsilon)} would spend more than the ${period} budget of ${budget} (${fromMicro(spentMicro)} spent, ${fromMicro(Math.max(0, toMicro(budget) - spentMicro))} left). Nothing was released.`,
  );

/** Spends `epsilon` of the period's budget for `what`, or refuses with what is left. */
export async function spendPrivacyBudget(ledger: BudgetLedger, period: string, budget: number, epsilon: number, what: string, now: Date): Promise<void> {
  const microEpsilon = toMicro(epsilon);
  if (microEpsilon < 1) throw new RangeError('epsilon must be at least 0.000001');
  if (await ledger.spend(period, { what, microEpsilon, at: now.toISOString() }, toMicro(budget))) return;
  throw refusal(period, budget, microEpsilon, (await ledger.ledger(period)).spentMicro);
}

/**
 * Spends `epsilon` in every period a release covers, after checking each has room, so a refusal
 * spends nothing. (A release racing this one can still take a later period's room between the
 * check and the spend: then the periods spent so far stay spent, which errs on the private side.)
 */
export async function spendPrivacyBudgetInEvery(
  ledger: BudgetLedger,
  periods: readonly string[],
  budget: number,
  epsilon: number,
  what: string,
  now: Date,
): Promise<void> {
  const microEpsilon = toMicro(epsilon);
  const spent = await Promise.all(periods.map(async (period) => ({ period, spentMicro: (await ledger.ledger(period)).spentMicro })));
  const full = spent.find(({ spentMicro }) => spentMicro + microEpsilon > toMicro(budget));
  if (full) throw refusal(full.period, budget, microEpsilon, full.spentMicro);
  for (const period of periods) await spendPrivacyBudget(ledger, period, budget, epsilon, what, now);
}
