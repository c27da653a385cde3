import { type Command, type CommandContext, UsageError } from '../command';
import { QuarantineAdmin } from '../quarantine';
import { emailOption, personDeps } from './people';

function sinceOption(context: CommandContext): Date | undefined {
  if (context.options.since === undefined) return undefined;
  const since = new Date(context.options.since);
  if (Number.isNaN(since.getTime())) throw new UsageError('--since must be a date or time such as 2026-11-30 or 2026-11-30T09:00Z');
  return since;
}

/** Held submissions picked by --id, --email, or --reason (with --since). */
async function held(context: CommandContext, command: string) {
  const { options } = context;
  if (command !== 'quarantine list' && !options.email && !options.id && !options.reason) throw new UsageError(`${command} needs --email, --id or --reason`);
  const since = sinceOption(context);
  const email = options.email ? emailOption(context) : undefined;
  const deps = await personDeps(context);
  const { connection } = deps;
  const admin = new QuarantineAdmin({ ...deps, db: connection.db, tableName: connection.tableName, routing: connection.routingQueue });
  const matching = await admin.matching({ reason: options.reason, since, submissionId: options.id, leadId: email ? deps.keyring.emailHash(email) : undefined });
  return { admin, matching, email };
}

function decide(name: 'quarantine release' | 'quarantine discard', summary: string): Command {
  return {
    name,
    usage: '--id SUBMISSION_ID | --email ADDRESS | --reason R [--since TIME]',
    summary,
    async run(context) {
      const { admin, matching, email } = await held(context, name);
      const release = name === 'quarantine release';
      let done = 0;
      for (const h of matching) if (await (release ? admin.release(h) : admin.discard(h))) done++;
      const what = context.options.id ? `submission ${context.options.id}` : (email ?? `reason ${context.options.reason}`);
      context.print(`${release ? 'Released' : 'Discarded'} ${done} held submission(s) (${what}).`, { [release ? 'released' : 'discarded']: done });
      return done > 0 || context.options.reason !== undefined ? 0 : 1;
    },
  };
}

export const quarantineCommands: Command[] = [
  {
    name: 'quarantine list',
    usage: '[--reason R] [--since TIME]',
    summary: 'submissions held back by screening, with ids and reasons',
    async run(context) {
      const { matching } = await held(context, 'quarantine list');
      context.print(
        matching.length
          ? matching.map((h) => `${h.submissionId}  ${h.email}  form ${h.formId}  ${h.at.slice(0, 16)}  ${h.reasons.join(', ')}`).join('\n')
          : 'Nothing is in quarantine.',
        matching,
      );
      return 0;
    },
  },
  decide('quarantine release', "route held submissions as if they had passed screening (--reason ip_burst for a real event's booth, in one go)"),
  decide('quarantine discard', 'drop held submissions; the lead, if any, stays as it was'),
];
