/**
 * Orders strings by UTF-16 code unit, as `<` does (and RFC 8785 orders JSON keys): right for keys,
 * ISO timestamps and ids. Not localeCompare, whose first call loads ICU's collator: 7 ms of CPU in
 * a cold start, for an order that is the same on such strings.
 */
export const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
