import type { IntegerSource } from './secure-random';

/**
 * The discrete Laplace (two-sided geometric) distribution: P(Z = z) ∝ exp(-|z| / scale), sampled
 * exactly with integer arithmetic only (Canonne, Kamath and Steinke, "The Discrete Gaussian for
 * Differential Privacy", 2020, Algorithms 1 and 2). Floating-point sampling leaks through the
 * gaps between representable values (Mironov, 2012); here every probability is a ratio of
 * integers and every coin comes from a cryptographic source. The scale is the rational
 * `numerator / denominator`.
 */

/** Bernoulli(p / q), for integers 0 ≤ p ≤ q. */
const bernoulli = (random: IntegerSource, p: number, q: number): boolean => random.below(q) < p;

/** Bernoulli(exp(-p / q)) for integers p ≥ 0, q ≥ 1 (Algorithm 1: exact, no exp evaluated). */
function bernoulliExp(random: IntegerSource, p: number, q: number): boolean {
  let whole = Math.floor(p / q);
  const rest = p - whole * q;
  // exp(-(w + r)) = exp(-1)^w · exp(-r): w coins of exp(-1), then one of exp(-r/q) with r < q.
  while (whole-- > 0) if (!bernoulliExpAtMostOne(random, 1, 1)) return false;
  return bernoulliExpAtMostOne(random, rest, q);
}

/** Bernoulli(exp(-p / q)) for 0 ≤ p ≤ q: K counts coins of Bernoulli(γ / k) until one fails; exp(-γ) is P(K odd). */
function bernoulliExpAtMostOne(random: IntegerSource, p: number, q: number): boolean {
  let k = 1;
  while (bernoulli(random, p, q * k)) k++;
  return k % 2 === 1;
}

/** One sample of the discrete Laplace with scale `numerator / denominator` (Algorithm 2 with t = numerator, s = denominator). */
export function sampleDiscreteLaplace(random: IntegerSource, numerator: number, denominator: number): number {
  if (!Number.isSafeInteger(numerator) || !Number.isSafeInteger(denominator) || numerator < 1 || denominator < 1) {
    throw new RangeError('the scale is a ratio of positive integers');
  }
  const t = numerator;
  const s = denominator;
  for (;;) {
    const u = random.below(t);
    if (!bernoulliExp(random, u, t)) continue;
    let v = 0;
    while (bernoulliExp(random, 1, 1)) v++;
    const y = Math.floor((u + t * v) / s);
    const negative = bernoulli(random, 1, 2);
    if (negative && y === 0) continue;
    return negative ? -y : y;
  }
}

/** P(Z = z) for the discrete Laplace with this scale, for checking samplers (floating point is fine here). */
export function discreteLaplacePmf(z: number, scale: number): number {
  const r = Math.exp(-1 / scale);
  return ((1 - r) / (1 + r)) * r ** Math.abs(z);
}

/** Its variance: 2r / (1 - r)^2 with r = exp(-1 / scale). */
export function discreteLaplaceVariance(scale: number): number {
  const r = Math.exp(-1 / scale);
  return (2 * r) / (1 - r) ** 2;
}
