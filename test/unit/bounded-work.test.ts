import { describe, expect, it } from 'vitest';
import { forEachWithin } from '../../shared/domain/core/bounded-work';

describe('forEachWithin', () => {
  it('counts a failing item and goes on with the others', async () => {
    const seen: number[] = [];
    const counts = await forEachWithin(
      [1, 2, 3, 4, 5],
      async (n) => {
        if (n === 2) throw new Error('one bad lead');
        seen.push(n);
      },
      { concurrency: 2 },
    );
    expect(counts).toEqual({ done: 4, failed: 1 });
    expect(seen.sort()).toEqual([1, 3, 4, 5]);
  });

  it('takes no new item once its time is up', async () => {
    expect(await forEachWithin([1, 2, 3], async () => undefined, { until: Date.now() - 1 })).toEqual({ done: 0, failed: 0 });
  });
});
