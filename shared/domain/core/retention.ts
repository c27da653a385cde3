const DAY_SECONDS = 86_400;

export const epochSeconds = (at: Date): number => Math.floor(at.getTime() / 1000);

export const addDays = (at: Date, days: number): number => epochSeconds(at) + days * DAY_SECONDS;

/** DynamoDB deletes expired items late (hours to days): every read treats them as gone at once. */
export const isExpired = (expiresAt: number | undefined, now: Date): boolean => expiresAt !== undefined && expiresAt <= epochSeconds(now);

/** ISO time `hours` after `at`. */
export const addHours = (at: Date, hours: number): string => new Date(at.getTime() + hours * 3_600_000).toISOString();
