import { sampleDiscreteLaplace } from './discrete-laplace';
import type { IntegerSource } from './secure-random';

/** Epsilon as a fraction of integers (up to six decimals), so the noise's scale stays exact. */
export function epsilonFraction(epsilon: number): { numerator: number; denominator: number } {
  if (!(epsilon > 0) || epsilon > 100) throw new RangeError('epsilon must be above 0 and at most 100');
  const denominator = 1_000_000;
  const numerator = Math.round(epsilon * denominator);
  if (numerator < 1) throw new RangeError('epsilon must be at least 0.000001');
  const divisor = gcd(numerator, denominator);
  return { numerator: numerator / divisor, denominator: denominator / divisor };
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * A count released with ε-differential privacy: the count plus discrete Laplace noise of scale
 * sensitivity / ε (sensitivity: how many counters, in all, one person can move by one), never
 * shown below zero (clamping is post-processing, so it costs no privacy).
 */
export function privateCount(count: number, epsilon: number, sensitivity: number, random: IntegerSource): number {
  if (!Number.isSafeInteger(sensitivity) || sensitivity < 1) throw new RangeError('sensitivity is a positive integer');
  const eps = epsilonFraction(epsilon);
  // scale = sensitivity / (n / d) = sensitivity · d / n
  return Math.max(0, count + sampleDiscreteLaplace(random, sensitivity * eps.denominator, eps.numerator));
}
