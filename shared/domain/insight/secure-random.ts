import { randomFillSync } from 'node:crypto';

/** Uniform integers from a cryptographic source, drawn from a buffer refilled in bulk (one system call per 4,096 words). */
export interface IntegerSource {
  /** A uniform integer in [0, n), for 1 ≤ n ≤ 2^32. */
  below(n: number): number;
}

const WORDS = 4096;
const TWO_32 = 2 ** 32;

export function cryptoIntegers(): IntegerSource {
  const pool = new Uint32Array(WORDS);
  let next = WORDS;
  const word = (): number => {
    if (next === WORDS) {
      randomFillSync(pool);
      next = 0;
    }
    return pool[next++] as number;
  };
  return {
    below(n) {
      if (!Number.isInteger(n) || n < 1 || n > TWO_32) throw new RangeError(`below(${n}): expected an integer in [1, 2^32]`);
      // Rejection sampling: accept only words under the largest multiple of n, so every residue is equally likely.
      const limit = TWO_32 - (TWO_32 % n);
      for (;;) {
        const w = word();
        if (w < limit) return w % n;
      }
    },
  };
}
