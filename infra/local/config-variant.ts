import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

/** A parsed YAML document, changed in place by a variant. */
// biome-ignore lint/suspicious/noExplicitAny: variants reach into the document at any depth, and the schema validates the result
type YamlDocument = Record<string, any>;

/** A copy of a config file with changes, written to a temp file (for tests and benchmarks). */
export function configVariant(change: (document: YamlDocument) => void, source = 'leadgate.config.yaml'): string {
  const document = parse(readFileSync(source, 'utf8')) as YamlDocument;
  change(document);
  const file = join(mkdtempSync(join(tmpdir(), 'leadgate-config-')), 'leadgate.config.yaml');
  writeFileSync(file, stringify(document));
  return file;
}

/**
 * For tests and benchmarks whose one client (127.0.0.1) stands for many people: no per-IP limit
 * or burst hold gets in the way. `perEmailPerHour` stays as given.
 */
export function manyPeopleOneClient(document: YamlDocument, perEmailPerHour = 100_000): void {
  document.screening.rateLimits = { perIpPerMinute: 10_000_000, perEmailPerHour };
  document.screening.burst = { perIpPerHour: 10_000_000, patternPerIpPerHour: 10_000_000 };
}
