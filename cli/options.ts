import { parseArgs } from 'node:util';

const OPTIONS = {
  email: { type: 'string' },
  reason: { type: 'string' },
  stack: { type: 'string' },
  dir: { type: 'string' },
  'public-key': { type: 'string' },
  api: { type: 'string' },
  capture: { type: 'string' },
  queue: { type: 'string' },
  destination: { type: 'string' },
  since: { type: 'string' },
  id: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  by: { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string' },
  month: { type: 'string' },
  epsilon: { type: 'string' },
  private: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  iframe: { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const;

/** Parses the command line (node:util parseArgs, strict: an unknown option is an error). */
export const parseCommandLine = (argv: string[]) => parseArgs({ args: argv, allowPositionals: true, options: OPTIONS, strict: true });

export type CliOptions = ReturnType<typeof parseCommandLine>['values'];
