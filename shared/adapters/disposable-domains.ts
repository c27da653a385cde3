import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * The disposable-email domain list (npm `disposable-email-domains`, ~120,000 domains, 2.4 MB).
 * Too big to bundle, so it is read from a file on first use: deployed, the bundler copies it next
 * to the function (infra/constructs/functions.ts); locally it is read from node_modules.
 */
export const DISPOSABLE_DOMAINS_FILE = 'disposable-domains.json';

let list: Buffer | undefined;

function read(): Buffer {
  try {
    return readFileSync(new URL(`./${DISPOSABLE_DOMAINS_FILE}`, import.meta.url));
  } catch {
    return readFileSync(createRequire(import.meta.url).resolve('disposable-email-domains/index.json'));
  }
}

/**
 * The list is searched where it lies, as bytes: parsing it and building a set of its domains took
 * 150-200 ms of a routing function's first message here, and the search takes microseconds. It
 * relies on the package's list being sorted, which a unit test checks of the installed version.
 */
export function isDisposableDomain(domain: string): boolean {
  list ??= read();
  return sortedJsonArrayHas(list, Buffer.from(domain.toLowerCase()));
}

const QUOTE = 0x22;
const COMMA = 0x2c;

/**
 * Whether `key` is an entry of `array`, the JSON text of an array of strings sorted in byte order
 * whose entries hold no quote, comma or escape: a binary search over the text's bytes. The search
 * keeps `lo` at an entry's opening quote and `hi` past the entries still in question; it probes
 * the first entry starting in the upper half of that span (or, if none does, the one at `lo`).
 */
export function sortedJsonArrayHas(array: Buffer, key: Buffer): boolean {
  let lo = array.indexOf(QUOTE);
  let hi = array.lastIndexOf(QUOTE) + 1;
  if (lo < 0) return false;
  const entryAfter = (from: number) => {
    const comma = array.indexOf(COMMA, from);
    const start = comma < 0 || comma >= hi ? -1 : array.indexOf(QUOTE, comma);
    return start < 0 || start >= hi ? hi : start;
  };
  while (lo < hi) {
    let start = entryAfter((lo + hi) >>> 1);
    if (start >= hi) start = lo;
    const end = array.indexOf(QUOTE, start + 1);
    const order = array.compare(key, 0, key.length, start + 1, end);
    if (order === 0) return true;
    if (order < 0) lo = entryAfter(end);
    else hi = start;
  }
  return false;
}
