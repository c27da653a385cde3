import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { DynamoLeadRepository } from '../shared/adapters/dynamo-lead-repository';
import { DynamoLeadEraser } from '../shared/adapters/dynamo-privacy';
import { DynamoSubmissionStore } from '../shared/adapters/dynamo-submission-store';
import { DynamoSuppressionList } from '../shared/adapters/dynamo-suppression-list';
import { runtimeClock } from '../shared/adapters/runtime-clock';
import { CONFIG_FILE_VARIABLE, loadConfigFile } from '../shared/config/load';
import { normalizeEmail } from '../shared/domain/email-address';
import { createKeyring } from '../shared/domain/keyring';
import { eraseLead, exportLead } from '../shared/domain/privacy';
import { verifyReceipt } from '../shared/domain/receipts';
import type { SuppressionReason } from '../shared/domain/suppression';
import { suppressAndWithdraw } from '../shared/domain/unsubscribe';
import { DEFAULT_PORTS } from '../infra/local/names';
import { embedSnippet } from '../shared/http/embed-snippet';
import { connect } from './connection';
import { QuarantineAdmin } from './quarantine';
import { pendingPrivacyRequests } from './privacy-pending';
import { DynamoUnverifiedMailStats } from '../shared/adapters/dynamo-unverified-mail-stats';
import { resumeStrangerMail } from '../shared/domain/stranger-mail';
import { redrive } from './dlq';

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

const USAGE = `Usage: leadgate <command> [options]

  privacy export --email ADDRESS       everything held about a person, as JSON
  privacy erase --email ADDRESS        erase a person; prints the erasure receipt
  privacy pending                      privacy requests whose link was not mailed (over a mail
                                       budget, bounce breaker): answer each by its date
  mail status                          whether mail to unconfirmed addresses is paused by the bounce breaker
  mail resume                          resume it after fixing the cause (bounces before now no longer count)
  suppress --email ADDRESS --reason R  suppress an address (R: unsubscribed, bounced, complained)
  leads show --email ADDRESS           the lead held for an address
  receipt verify FILE [--public-key=K] check a consent or erasure receipt offline
  embed FORM_ID [--api URL]            print a ready-to-paste HTML snippet for a form
  dlq redrive [--queue NAME]           move dead-lettered messages back to their queue (all queues by default)
  quarantine list [--reason R] [--since TIME]  submissions held back by screening, with ids and reasons
  quarantine release --id SUBMISSION_ID | --email ADDRESS | --reason R [--since TIME]
                                       route held submissions as if they had passed screening
                                       (--reason ip_burst for a real event's booth, in one go)
  quarantine discard --id SUBMISSION_ID | --email ADDRESS | --reason R [--since TIME]
                                       drop held submissions; the lead, if any, stays as it was

Options:
  --stack NAME   work on a deployed stack (standard AWS credentials); default: the local runtime
  --json         machine-readable output
`;

const REASONS: SuppressionReason[] = ['unsubscribed', 'bounced', 'complained'];

class UsageError extends Error {}

function need(value: string | undefined, what: string): string {
  if (!value) throw new UsageError(`missing ${what}`);
  return value;
}

/** Runs one CLI command; returns the exit code. */
export async function runCli(argv: string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        email: { type: 'string' },
        reason: { type: 'string' },
        stack: { type: 'string' },
        'public-key': { type: 'string' },
        api: { type: 'string' },
        queue: { type: 'string' },
        since: { type: 'string' },
        id: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals.slice(0, 2).join(' ');
  if (values.help || positionals.length === 0) {
    io.out(USAGE);
    return values.help ? 0 : 2;
  }
  const print = (human: string, data: unknown) => io.out(values.json ? `${JSON.stringify(data, null, 2)}\n` : `${human}\n`);

  try {
    if (command === 'receipt verify') {
      const file = need(positionals[2], 'the receipt file');
      let document: unknown;
      try {
        document = JSON.parse(await readFile(file, 'utf8'));
      } catch (error) {
        throw new Error(`cannot read ${file} as JSON: ${(error as Error).message}`);
      }
      const check = verifyReceipt(document, values['public-key']);
      const trust = values['public-key'] ? '' : ' (signature checked against the key in the receipt; pass --public-key to pin the issuer)';
      print(check.valid ? `valid${trust}` : `INVALID: ${check.reason}`, check);
      return check.valid ? 0 : 1;
    }

    if (positionals[0] === 'embed') {
      const formId = need(positionals[1], 'the form id');
      const settings = loadConfigFile(io.env[CONFIG_FILE_VARIABLE] ?? 'leadgate.config.yaml');
      io.out(embedSnippet(settings, formId, values.api ?? `http://127.0.0.1:${io.env.PORT ?? DEFAULT_PORTS.api}`));
      return 0;
    }

    if (command === 'dlq redrive') {
      const connection = await connect({ stack: values.stack, env: io.env });
      try {
        const names = values.queue ? [values.queue] : Object.keys(connection.queues);
        const moved: Record<string, number> = {};
        for (const name of names) {
          const queue = connection.queues[name as keyof typeof connection.queues];
          if (!queue) throw new UsageError(`unknown queue "${name}"; queues: ${Object.keys(connection.queues).join(', ')}`);
          moved[name] = await redrive(connection.sqs, queue.deadLetterUrl, queue.url);
        }
        print(Object.entries(moved).map(([name, n]) => `${name}: moved ${n} message(s) back from the dead-letter queue`).join('\n'), moved);
        return 0;
      } finally {
        connection.close();
      }
    }

    if (command === 'mail status' || command === 'mail resume') {
      const connection = await connect({ stack: values.stack, env: io.env });
      try {
        const stats = new DynamoUnverifiedMailStats(connection.db, connection.tableName);
        const now = runtimeClock.now();
        if (command === 'mail resume') await resumeStrangerMail({ mailStats: stats }, now);
        const breaker = await stats.breaker();
        const paused = (breaker.pausedUntil ?? 0) > now.getTime() / 1000;
        print(
          paused
            ? `Mail to unconfirmed addresses is PAUSED until ${new Date(breaker.pausedUntil! * 1000).toISOString()} (hard-bounce rate ${((breaker.bounceRate ?? 0) * 100).toFixed(1)} %). Resume with: leadgate mail resume`
            : `Mail to unconfirmed addresses is flowing${breaker.resumedAt ? ` (resumed ${breaker.resumedAt})` : ''}.`,
          { paused, ...breaker },
        );
        return 0;
      } finally {
        connection.close();
      }
    }

    const known = ['privacy export', 'privacy erase', 'privacy pending', 'suppress', 'leads show', 'quarantine list', 'quarantine release', 'quarantine discard'];
    const verb = known.find((k) => command === k || command.startsWith(`${k} `) || positionals[0] === k);
    if (!verb) throw new UsageError(`unknown command "${positionals.join(' ')}"`);
    // Quarantine commands pick held submissions by --id, --email, or --reason (with --since).
    const quarantineVerb = verb.startsWith('quarantine');
    const byFilter = verb === 'quarantine list' || verb === 'privacy pending' || (quarantineVerb && !values.email);
    if (quarantineVerb && verb !== 'quarantine list' && !values.email && !values.id && !values.reason) {
      throw new UsageError(`${verb} needs --email, --id or --reason`);
    }
    const email = byFilter ? '' : normalizeEmail(need(values.email, '--email'));
    let since: Date | undefined;
    if (values.since !== undefined) {
      since = new Date(values.since);
      if (Number.isNaN(since.getTime())) throw new UsageError('--since must be a date or time such as 2026-11-30 or 2026-11-30T09:00Z');
    }
    const connection = await connect({ stack: values.stack, env: io.env });
    try {
      const settings = loadConfigFile(io.env[CONFIG_FILE_VARIABLE] ?? 'leadgate.config.yaml');
      const keyring = createKeyring(connection.secret);
      const leads = new DynamoLeadRepository(connection.db, connection.tableName);
      const submissions = new DynamoSubmissionStore(connection.db, connection.tableName);
      const suppressions = new DynamoSuppressionList(connection.db, connection.tableName);
      const deps = { settings, leads, submissions, suppressions, keyring, clock: runtimeClock };
      const leadId = keyring.emailHash(email);

      if (quarantineVerb) {
        const quarantine = new QuarantineAdmin({ ...deps, db: connection.db, tableName: connection.tableName, routing: connection.routingQueue });
        const held = await quarantine.matching({ reason: values.reason, since, submissionId: values.id, leadId: email ? leadId : undefined });
        if (verb === 'quarantine list') {
          print(held.length ? held.map((h) => `${h.submissionId}  ${h.email}  form ${h.formId}  ${h.at.slice(0, 16)}  ${h.reasons.join(', ')}`).join('\n') : 'Nothing is in quarantine.', held);
          return 0;
        }
        const release = verb === 'quarantine release';
        let done = 0;
        for (const h of held) if (await (release ? quarantine.release(h) : quarantine.discard(h))) done++;
        const what = values.id ? `submission ${values.id}` : email ? email : `reason ${values.reason}`;
        print(`${release ? 'Released' : 'Discarded'} ${done} held submission(s) (${what}).`, { [release ? 'released' : 'discarded']: done });
        return done > 0 || values.reason !== undefined ? 0 : 1;
      }
      if (verb === 'privacy pending') {
        const pending = await pendingPrivacyRequests(connection.db, connection.tableName, leads, runtimeClock.now());
        print(
          pending.length
            ? pending.map((p) => `${p.requestId}  ${p.type}  ${p.email ?? '(lead gone)'}  asked ${p.createdAt.slice(0, 16)}  answer by ${p.answerBy}  not mailed: ${p.reason}`).join('\n')
            : 'No privacy request is waiting for an answer by hand.',
          pending,
        );
        return 0;
      }
      if (verb === 'privacy export') {
        io.out(`${JSON.stringify(await exportLead(deps, leadId), null, 2)}\n`);
        return 0;
      }
      if (verb === 'privacy erase') {
        const receipt = await eraseLead({ ...deps, eraser: new DynamoLeadEraser(connection.db, connection.tableName) }, leadId);
        print(`Erased ${receipt.itemsDeleted} item(s) from the ${connection.where}; the address stays suppressed (hash only).\nReceipt ${receipt.receiptId}:\n${JSON.stringify(receipt, null, 2)}`, receipt);
        return 0;
      }
      if (verb === 'suppress') {
        const reason = need(values.reason, '--reason') as SuppressionReason;
        if (!REASONS.includes(reason)) throw new UsageError(`--reason must be one of ${REASONS.join(', ')}`);
        await suppressAndWithdraw(deps, leadId, 'marketing_email', reason, reason === 'complained' ? 'complaint' : reason === 'bounced' ? 'hard_bounce' : 'unsubscribe_link');
        print(`Suppressed ${email} (${reason}) in the ${connection.where}.`, { suppressed: true, reason });
        return 0;
      }
      const stored = await leads.get(leadId, runtimeClock.now());
      if (!stored) {
        print(`No lead is held for ${email} in the ${connection.where}.`, { lead: null });
        return 1;
      }
      const { lead } = stored;
      const consents = Object.entries(lead.consents).map(([p, c]) => `  ${p}: ${c.status} (${c.at.slice(0, 10)}, form ${c.formId}, text ${c.consentTextVersion})`);
      print(
        [
          `Lead ${lead.email}`,
          `  fields: ${Object.entries(lead.fields).map(([k, v]) => `${k}=${v}`).join(', ')}`,
          `  score: ${lead.score ?? '-'}${lead.scoreReasons?.length ? ` (${lead.scoreReasons.map((r) => `${r.points > 0 ? '+' : ''}${r.points} ${r.rule}`).join(', ')})` : ''}`,
          `  owner: ${lead.owner ?? '-'}${lead.assignment ? ` (team ${lead.assignment.team}${lead.assignment.acceptedAt ? ', accepted' : ''})` : ''}`,
          'consents:',
          ...consents,
          `  submissions: ${lead.submissions.length}, delete after ${new Date(lead.expiresAt * 1000).toISOString().slice(0, 10)}`,
        ].join('\n'),
        lead,
      );
      return 0;
    } finally {
      connection.close();
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${error.message}\n\n${USAGE}`);
      return 2;
    }
    io.err(`leadgate: ${(error as Error).message}\n`);
    return 1;
  }
}
