import { describe, expect, it } from 'vitest';
import { discreteLaplacePmf, discreteLaplaceVariance, sampleDiscreteLaplace } from '../../shared/domain/insight/discrete-laplace';
import { epsilonFraction, privateCount } from '../../shared/domain/insight/private-counts';
import { cryptoIntegers } from '../../shared/domain/insight/secure-random';
import { chiSquaredPValue } from '../support/statistics';

const SAMPLES = 1_000_000;
/** Each fit fails by chance less than once in a million runs (no fixed seed: the source is cryptographic). */
const SIGNIFICANCE = 1e-6;
/** Mean and variance: 6 standard errors, a chance failure about once in 500 million runs. */
const STANDARD_ERRORS = 6;

/** 10^6 samples against the exact pmf of `scale`: the chi-squared p-value, and how many standard errors off the mean and variance are. */
function fitOf(sample: () => number, scale: number): { pValue: number; meanError: number; varianceError: number } {
  const counts = new Map<number, number>();
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < SAMPLES; i++) {
    const z = sample();
    if (!Number.isInteger(z)) throw new Error(`not an integer: ${z}`);
    counts.set(z, (counts.get(z) ?? 0) + 1);
    sum += z;
    squares += z * z;
  }
  // Bins: every value expected at least 5 times; beyond, one pooled tail on each side.
  let k = 0;
  while (SAMPLES * discreteLaplacePmf(k + 1, scale) >= 5) k++;
  let tail = 0;
  for (let z = k + 1; discreteLaplacePmf(z, scale) > 1e-18; z++) tail += discreteLaplacePmf(z, scale);
  let statistic = 0;
  for (let z = -k; z <= k; z++) {
    const expected = SAMPLES * discreteLaplacePmf(z, scale);
    statistic += ((counts.get(z) ?? 0) - expected) ** 2 / expected;
  }
  for (const sign of [1, -1]) {
    const observed = [...counts].filter(([z]) => sign * z > k).reduce((n, [, c]) => n + c, 0);
    statistic += (observed - SAMPLES * tail) ** 2 / (SAMPLES * tail);
  }
  const variance = discreteLaplaceVariance(scale);
  // The sample second moment's standard error, from the distribution's fourth moment.
  let fourth = 0;
  for (let z = 1; discreteLaplacePmf(z, scale) > 1e-18; z++) fourth += 2 * z ** 4 * discreteLaplacePmf(z, scale);
  return {
    // 2k + 3 bins, so 2k + 2 degrees of freedom.
    pValue: chiSquaredPValue(statistic, 2 * k + 2),
    meanError: Math.abs(sum / SAMPLES) / Math.sqrt(variance / SAMPLES),
    varianceError: Math.abs(squares / SAMPLES - variance) / Math.sqrt((fourth - variance ** 2) / SAMPLES),
  };
}

describe('the discrete Laplace sampler', () => {
  it('computes the chi-squared tail as the tables do, and the fit rejects a sampler whose scale is 5 % off', () => {
    expect(chiSquaredPValue(0, 20)).toBeCloseTo(1, 10);
    expect(chiSquaredPValue(3.841, 1)).toBeCloseTo(0.05, 4);
    expect(chiSquaredPValue(29.588, 10)).toBeCloseTo(0.001, 5);
    expect(chiSquaredPValue(45.315, 20)).toBeCloseTo(0.001, 5);
    // The check has power: samples of scale 2.1 judged against the pmf of scale 2.
    const random = cryptoIntegers();
    expect(fitOf(() => sampleDiscreteLaplace(random, 21, 10), 2).pValue).toBeLessThan(SIGNIFICANCE);
  }, 60_000);

  it.each([
    ['sensitivity 1, epsilon 0.5 (scale 2)', 2, 1],
    ['sensitivity 3, epsilon 1.3 (scale 30/13)', 30, 13],
  ])(
    '%s: 10^6 samples fit the exact pmf (chi-squared at 10^-6), its mean and its variance',
    (_what, numerator, denominator) => {
      const random = cryptoIntegers();
      const fit = fitOf(() => sampleDiscreteLaplace(random, numerator, denominator), numerator / denominator);
      expect(fit.pValue).toBeGreaterThan(SIGNIFICANCE);
      expect(fit.meanError).toBeLessThan(STANDARD_ERRORS);
      expect(fit.varianceError).toBeLessThan(STANDARD_ERRORS);
    },
    60_000,
  );

  it('turns epsilon into an exact fraction and never shows a count below zero', () => {
    expect(epsilonFraction(0.5)).toEqual({ numerator: 1, denominator: 2 });
    expect(epsilonFraction(1.3)).toEqual({ numerator: 13, denominator: 10 });
    expect(() => epsilonFraction(0)).toThrow(RangeError);
    const random = cryptoIntegers();
    const released = Array.from({ length: 10_000 }, () => privateCount(0, 0.1, 1, random));
    expect(released.every((n) => Number.isInteger(n) && n >= 0)).toBe(true);
    expect(released.some((n) => n > 0)).toBe(true);
    const big = Array.from({ length: 10_000 }, () => privateCount(1000, 1, 1, random));
    expect(Math.abs(big.reduce((a, b) => a + b, 0) / big.length - 1000)).toBeLessThan(0.2);
  });
});
