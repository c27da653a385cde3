import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';

/** Stops taking new items this long before the function's timeout; the next run picks up the rest. */
const MARGIN_MS = 5000;

/**
 * A scheduled function's handler: runs `work` until shortly before the timeout and reports its
 * counts (each sweep isolates every item's failure with forEachWithin and counts it). A run that
 * did something is logged at `level`, one that found nothing at DEBUG; a run with failures at WARN.
 * The counts are returned, so EventBridge's async invoke record (and the local runtime) see them.
 */
export function scheduledHandler<R extends { failed: number }>(
  logger: Logger,
  what: string,
  work: (until: number) => Promise<R>,
  level: 'info' | 'warn' = 'info',
) {
  return async (_event: unknown, context: Context): Promise<R> => {
    const result = await work(Date.now() + context.getRemainingTimeInMillis() - MARGIN_MS);
    if (result.failed) logger.warn(`${what}: some items failed; the next run retries them`, { ...result });
    else if (Object.values(result as Record<string, number>).some(Boolean)) logger[level](`${what} finished`, { ...result });
    else logger.debug(`${what} found nothing due`);
    return result;
  };
}
