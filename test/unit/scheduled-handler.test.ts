import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { scheduledHandler } from '../../shared/adapters/scheduled-handler';

const recorder = () => {
  const lines: [string, string][] = [];
  const log = (level: string) => (message: string) => {
    lines.push([level, message]);
  };
  return { lines, logger: { debug: log('debug'), info: log('info'), warn: log('warn') } as unknown as Logger };
};
const context = { getRemainingTimeInMillis: () => 60_000 } as Context;

describe('scheduledHandler', () => {
  it('stops taking work 5 s before the timeout and reports the counts at the level they deserve', async () => {
    const { lines, logger } = recorder();
    let until = 0;
    const counts = [
      { done: 0, failed: 0 },
      { done: 3, failed: 0 },
      { done: 2, failed: 1 },
    ];
    const handler = scheduledHandler(logger, 'sweep', async (deadline) => {
      until = deadline;
      return counts.shift()!;
    });
    const started = Date.now();
    expect(await handler({}, context)).toEqual({ done: 0, failed: 0 });
    expect(until).toBeGreaterThanOrEqual(started + 55_000);
    expect(until).toBeLessThanOrEqual(Date.now() + 55_000);
    expect(await handler({}, context)).toEqual({ done: 3, failed: 0 });
    expect(await handler({}, context)).toEqual({ done: 2, failed: 1 });
    expect(lines).toEqual([
      ['debug', 'sweep found nothing due'],
      ['info', 'sweep finished'],
      ['warn', 'sweep: some items failed; the next run retries them'],
    ]);
  });
});
