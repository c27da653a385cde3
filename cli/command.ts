import type { LeadgateConfig } from '../shared/config/schema';
import type { Keyring } from '../shared/domain/core/keyring';
import type { Connection } from './connection';
import type { CliOptions } from './options';

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

/** A mistake in how the command was called: answered with the usage text and exit code 2. */
export class UsageError extends Error {}

export function need(value: string | undefined, what: string): string {
  if (!value) throw new UsageError(`missing ${what}`);
  return value;
}

/** What a command gets: its options and arguments, output, and the stores (connected on first use). */
export interface CommandContext {
  options: CliOptions;
  /** The words after the command's name. */
  args: string[];
  io: Io;
  /** Prints the human text, or the data as JSON with --json. */
  print(human: string, data: unknown): void;
  /** The local runtime's stores, or a deployed stack's with --stack; closed after the command. */
  connection(): Promise<Connection>;
  settings(): LeadgateConfig;
  keyring(): Promise<Keyring>;
}

export interface Command {
  /** One or two words, e.g. `privacy export`. */
  name: string;
  /** Arguments and options, for the usage text. */
  usage: string;
  summary: string;
  /** Returns the exit code. */
  run(context: CommandContext): Promise<number>;
}
