/**
 * Runs `work` over `items` a few at a time, and stops taking new items once `until` (epoch ms)
 * has passed: a scheduled sweep does what fits in its invocation and the next run does the rest.
 */
export async function forEachWithin<T>(items: readonly T[], work: (item: T) => Promise<void>, options: { until?: number; concurrency?: number } = {}): Promise<number> {
  const { until = Infinity, concurrency = 8 } = options;
  let next = 0;
  let done = 0;
  const lane = async () => {
    while (next < items.length && Date.now() < until) {
      const item = items[next++] as T;
      await work(item);
      done++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  return done;
}
