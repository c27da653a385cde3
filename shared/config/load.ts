import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { z } from 'zod';
import type { LeadgateSettings } from '../domain/core/settings';
import { configSchema, crossReferenceProblems, type LeadgateConfig } from './schema';

// Compile-time check: the schema's output is what the domain expects.
const conforms = (config: LeadgateConfig): LeadgateSettings => config;
void conforms;

export const DEFAULT_CONFIG_FILE = 'leadgate.config.yaml';

/** Thrown for a configuration that cannot be used; `problems` lists every one as `path: message`. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source} is not a valid Leadgate configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function formatIssues(issues: readonly Pick<z.core.$ZodIssue, 'path' | 'message'>[]): string[] {
  return issues.map((issue) => `${issue.path.length ? issue.path.map(String).join('.') : '(root)'}: ${issue.message}`);
}

/** Validates an already-parsed configuration document. */
export function parseConfig(document: unknown, source = 'configuration'): LeadgateConfig {
  const result = configSchema.safeParse(document);
  const problems = [...(result.success ? [] : formatIssues(result.error.issues)), ...formatIssues(crossReferenceProblems(document))];
  if (problems.length || !result.success) throw new ConfigError(source, problems);
  return result.data;
}

/** Reads and validates a YAML configuration file. */
/** Names the configuration file for the local runtime, the CLI and the synth. */
export const CONFIG_FILE_VARIABLE = 'LEADGATE_CONFIG_FILE';

export function loadConfigFile(file = process.env[CONFIG_FILE_VARIABLE] ?? DEFAULT_CONFIG_FILE): LeadgateConfig {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [`(file): cannot read ${path}: ${(error as Error).message}`]);
  }
  let document: unknown;
  try {
    document = parseYaml(text, { prettyErrors: true });
  } catch (error) {
    if (error instanceof YAMLParseError) throw new ConfigError(file, [`(yaml): ${error.message}`]);
    throw error;
  }
  return parseConfig(document, file);
}
