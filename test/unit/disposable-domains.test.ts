import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isDisposableDomain, sortedJsonArrayHas } from '../../shared/adapters/disposable-domains';

const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
const installedList = () => readFileSync(createRequire(import.meta.url).resolve('disposable-email-domains/index.json'));

describe('the disposable-domain list, searched as bytes', () => {
  it('finds exactly the entries of any sorted JSON array of strings, however it is laid out', () => {
    const label = fc.stringMatching(/^[a-z0-9\u00e9\u0131-]{1,6}(\.[a-z0-9-]{1,4}){0,2}$/);
    fc.assert(
      fc.property(
        fc.uniqueArray(label, { maxLength: 40 }),
        fc.array(label, { maxLength: 20 }),
        fc.constantFrom(undefined, 2, '\t'),
        (entries, probes, indent) => {
          const sorted = [...entries].sort(byBytes);
          const text = Buffer.from(JSON.stringify(sorted, null, indent));
          const set = new Set(sorted);
          for (const key of [...sorted, ...probes, '', 'zzzzzzzz', '0']) {
            expect(sortedJsonArrayHas(text, Buffer.from(key)), key).toBe(set.has(key));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('relies on what the installed package gives: entries sorted in byte order, none holding a quote, comma or escape', () => {
    const entries = JSON.parse(installedList().toString('utf8')) as string[];
    expect(entries.length).toBeGreaterThan(100_000);
    const unsorted = entries.findIndex((entry, i) => i > 0 && byBytes(entries[i - 1] as string, entry) >= 0);
    expect(unsorted, `entry ${unsorted} is out of order`).toBe(-1);
    expect(entries.filter((entry) => /["\\,]/.test(entry))).toEqual([]);
  });

  it('finds every listed domain, in any case, and nothing else', () => {
    const text = installedList();
    const entries = JSON.parse(text.toString('utf8')) as string[];
    const set = new Set(entries);
    for (const entry of entries) {
      if (!sortedJsonArrayHas(text, Buffer.from(entry))) throw new Error(`${entry} was not found`);
      const near = `${entry}x`;
      if (sortedJsonArrayHas(text, Buffer.from(near)) !== set.has(near)) throw new Error(`${near} was misjudged`);
    }
    expect(isDisposableDomain('Mailinator.COM')).toBe(true);
    expect(isDisposableDomain('instágram.com')).toBe(true);
    expect(isDisposableDomain('example.com')).toBe(false);
    expect(isDisposableDomain('gmail.com')).toBe(false);
  });
});
