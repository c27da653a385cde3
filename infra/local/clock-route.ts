import type { LocalRoute } from './http-gateway';

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses "90m", "4h", "3d". */
export function parseDuration(text: unknown): number | undefined {
  const match = typeof text === 'string' ? /^(\d{1,6})([mhd])$/.exec(text.trim()) : null;
  return match ? Number(match[1]) * (UNITS[match[2] as string] as number) : undefined;
}

/**
 * POST /_local/clock/advance {"by": "4h"}: local runtime only, never in the stack. Moves the
 * clock every local function reads, then runs the schedules, so SLA and nurture timing can be
 * tried in seconds.
 */
export function clockRoute(advance: (ms: number) => Promise<void>, now: () => Date): LocalRoute {
  return {
    method: 'POST',
    path: '/_local/clock/advance',
    async handle(_request, body) {
      let by: unknown;
      try {
        by = (JSON.parse(body.toString('utf8') || '{}') as { by?: unknown }).by;
      } catch {
        by = undefined;
      }
      const ms = parseDuration(by);
      if (ms === undefined) {
        return {
          status: 400,
          body: JSON.stringify({
            error: {
              code: 'validation_failed',
              message: 'Send {"by": "<n><m|h|d>"}, e.g. {"by": "4h"}.',
              fields: { by: 'expected a duration such as 30m, 4h or 3d' },
            },
          }),
        };
      }
      await advance(ms);
      return { status: 200, body: JSON.stringify({ now: now().toISOString() }) };
    },
  };
}
