import { CONFIG_FILE_VARIABLE, loadConfigFile } from '../shared/config/load';
import type { LeadgateConfig } from '../shared/config/schema';
import { createKeyring, type Keyring } from '../shared/domain/core/keyring';
import { type Command, type CommandContext, type Io, UsageError } from './command';
import { operationsCommands } from './commands/operations';
import { peopleCommands } from './commands/people';
import { quarantineCommands } from './commands/quarantine';
import { destinationCommands } from './commands/destinations';
import { reportCommands } from './commands/reports';
import { type Connection, connect } from './connection';
import { parseCommandLine } from './options';

export type { Io } from './command';

/** Every command, in the order the usage text lists them. */
export const COMMANDS: readonly Command[] = [...peopleCommands, ...operationsCommands, ...quarantineCommands, ...destinationCommands, ...reportCommands];

const USAGE = `Usage: leadgate <command> [options]

${COMMANDS.map((command) => {
  const head = `  ${command.name}${command.usage ? ` ${command.usage}` : ''}`;
  return head.length <= 38 ? `${head.padEnd(39)}${command.summary}` : `${head}\n${' '.repeat(39)}${command.summary}`;
}).join('\n')}

Options:
  --stack NAME   work on a deployed stack (standard AWS credentials); default: the local runtime
  --dir PATH     the project folder of the local runtime (default: the current folder); the CLI finds
                 its ports and clock in PATH/.leadgate/runtime.json, written by npm start
  --json         machine-readable output
`;

/** The command named by the first one or two words. */
function find(positionals: string[]): { command: Command; args: string[] } | undefined {
  const two = COMMANDS.find((c) => c.name === positionals.slice(0, 2).join(' '));
  if (two) return { command: two, args: positionals.slice(2) };
  const one = COMMANDS.find((c) => c.name === positionals[0]);
  return one && { command: one, args: positionals.slice(1) };
}

/** Runs one CLI command; returns the exit code. */
export async function runCli(argv: string[], io: Io): Promise<number> {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(argv);
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values: options, positionals } = parsed;
  if (options.help || positionals.length === 0) {
    io.out(USAGE);
    return options.help ? 0 : 2;
  }
  let connection: Connection | undefined;
  let settings: LeadgateConfig | undefined;
  let keyring: Keyring | undefined;
  const context = (args: string[]): CommandContext => ({
    options,
    args,
    io,
    print: (human, data) => io.out(options.json ? `${JSON.stringify(data, null, 2)}\n` : `${human}\n`),
    async connection() {
      connection ??= await connect({ stack: options.stack, env: io.env, dir: options.dir });
      return connection;
    },
    settings() {
      settings ??= loadConfigFile(io.env[CONFIG_FILE_VARIABLE] ?? 'leadgate.config.yaml');
      return settings;
    },
    async keyring() {
      keyring ??= createKeyring((await this.connection()).secret);
      return keyring;
    },
  });
  try {
    const found = find(positionals);
    if (!found) throw new UsageError(`unknown command "${positionals.join(' ')}"`);
    return await found.command.run(context(found.args));
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    io.err(`leadgate: ${(error as Error).message}\n`);
    return 1;
  } finally {
    connection?.close();
  }
}
