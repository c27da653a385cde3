/**
 * Runs `work` over `items` a few at a time, and stops taking new items once `until` (epoch ms)
 * has passed: a scheduled sweep does what fits in its invocation and the next run does the rest.
 * One item's failure is counted, not thrown: it stays due, the next run retries it, and it never
 * stops the sweep for the others.
 */
export async function forEachWithin<T>(
  items: readonly T[],
  work: (item: T) => Promise<void>,
  options: { until?: number; concurrency?: number } = {},
): Promise<{ done: number; failed: number }> {
  const { until = Infinity, concurrency = 8 } = options;
  let next = 0;
  const counts = { done: 0, failed: 0 };
  const lane = async () => {
    while (next < items.length && Date.now() < until) {
      const item = items[next++] as T;
      try {
        await work(item);
        counts.done++;
      } catch {
        counts.failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  return counts;
}
