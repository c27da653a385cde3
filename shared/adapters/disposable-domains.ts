import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * The disposable-email domain list (npm `disposable-email-domains`, ~120,000 domains, 2.4 MB).
 * Too big to bundle, so it is read from a file on first use: deployed, the bundler copies it next
 * to the function (infra/constructs/functions.ts); locally it is read from node_modules.
 */
export const DISPOSABLE_DOMAINS_FILE = 'disposable-domains.json';

let domains: ReadonlySet<string> | undefined;

function load(): ReadonlySet<string> {
  let text: string;
  try {
    text = readFileSync(new URL(`./${DISPOSABLE_DOMAINS_FILE}`, import.meta.url), 'utf8');
  } catch {
    text = readFileSync(createRequire(import.meta.url).resolve('disposable-email-domains/index.json'), 'utf8');
  }
  return new Set(JSON.parse(text) as string[]);
}

export function isDisposableDomain(domain: string): boolean {
  domains ??= load();
  return domains.has(domain.toLowerCase());
}
