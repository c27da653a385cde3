import { DynamoInsightCounters } from '../../shared/adapters/dynamo-insight-counters';
import { DynamoLeadRepository } from '../../shared/adapters/dynamo-lead-repository';
import { DynamoLeadEraser } from '../../shared/adapters/dynamo-privacy';
import { DynamoSubmissionStore } from '../../shared/adapters/dynamo-submission-store';
import { DynamoSuppressionList } from '../../shared/adapters/dynamo-suppression-list';
import { normalizeEmail } from '../../shared/domain/core/email-address';
import type { Lead } from '../../shared/domain/core/lead';
import { DynamoErasureNotices } from '../../shared/adapters/dynamo-erasure-notices';
import { eraseLead, exportLead } from '../../shared/domain/privacy/privacy';
import type { SuppressionReason } from '../../shared/domain/nurture/suppression';
import { suppressAndWithdraw } from '../../shared/domain/nurture/unsubscribe';
import { type Command, type CommandContext, need, UsageError } from '../command';
import { pendingPrivacyRequests } from '../privacy-pending';

/** The stores and keys a command about one person works with. */
export async function personDeps(context: CommandContext) {
  const connection = await context.connection();
  const keyring = await context.keyring();
  return {
    connection,
    settings: context.settings(),
    keyring,
    leads: new DynamoLeadRepository(connection.db, connection.tableName),
    submissions: new DynamoSubmissionStore(connection.db, connection.tableName),
    suppressions: new DynamoSuppressionList(connection.db, connection.tableName),
    clock: connection.clock,
  };
}

/** The address of --email, normalized as capture normalizes it. */
export const emailOption = (context: CommandContext): string => normalizeEmail(need(context.options.email, '--email'));

/** The person --email names: the address, the stores, and the lead id it hashes to. */
async function person(context: CommandContext) {
  const email = emailOption(context);
  const deps = await personDeps(context);
  return { email, deps, leadId: deps.keyring.emailHash(email) };
}

const REASONS: SuppressionReason[] = ['unsubscribed', 'bounced', 'complained'];

function describeLead(lead: Lead): string {
  const consents = Object.entries(lead.consents).map(([p, c]) => `  ${p}: ${c.status} (${c.at.slice(0, 10)}, form ${c.formId}, text ${c.consentTextVersion})`);
  const reasons = lead.scoreReasons?.length ? ` (${lead.scoreReasons.map((r) => `${r.points > 0 ? '+' : ''}${r.points} ${r.rule}`).join(', ')})` : '';
  return [
    `Lead ${lead.email}`,
    `  fields: ${Object.entries(lead.fields)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}`,
    `  score: ${lead.score ?? '-'}${reasons}`,
    `  owner: ${lead.owner ?? '-'}${lead.assignment ? ` (team ${lead.assignment.team}${lead.assignment.acceptedAt ? ', accepted' : ''})` : ''}`,
    'consents:',
    ...consents,
    `  submissions: ${lead.submissions.length}, delete after ${new Date(lead.expiresAt * 1000).toISOString().slice(0, 10)}`,
  ].join('\n');
}

export const peopleCommands: Command[] = [
  {
    name: 'privacy export',
    usage: '--email ADDRESS',
    summary: 'everything held about a person, as JSON',
    async run(context) {
      const { deps, leadId } = await person(context);
      context.io.out(`${JSON.stringify(await exportLead(deps, leadId), null, 2)}\n`);
      return 0;
    },
  },
  {
    name: 'privacy erase',
    usage: '--email ADDRESS',
    summary: 'erase a person; prints the erasure receipt',
    async run(context) {
      const { deps, leadId } = await person(context);
      const eraser = new DynamoLeadEraser(deps.connection.db, deps.connection.tableName);
      const notices = new DynamoErasureNotices(deps.connection.db, deps.connection.tableName);
      // The notices owed to destinations are recorded; the outbox sweep publishes them.
      const counting = { counters: new DynamoInsightCounters(deps.connection.db, deps.connection.tableName), insight: deps.settings.insight };
      const receipt = await eraseLead({ ...deps, eraser, notices, destinations: deps.settings.destinations, counting }, leadId);
      context.print(
        `Erased ${receipt.itemsDeleted} item(s) from the ${deps.connection.where}; the address stays suppressed (hash only).\nReceipt ${receipt.receiptId}:\n${JSON.stringify(receipt, null, 2)}`,
        receipt,
      );
      return 0;
    },
  },
  {
    name: 'privacy pending',
    usage: '',
    summary: 'privacy requests whose link was not mailed (over a mail budget, bounce breaker): answer each by its date',
    async run(context) {
      const deps = await personDeps(context);
      const pending = await pendingPrivacyRequests(deps.connection.db, deps.connection.tableName, deps.leads, deps.clock.now());
      context.print(
        pending.length
          ? pending
              .map(
                (p) =>
                  `${p.requestId}  ${p.type}  ${p.email ?? '(lead gone)'}  asked ${p.createdAt.slice(0, 16)}  answer by ${p.answerBy}  not mailed: ${p.reason}`,
              )
              .join('\n')
          : 'No privacy request is waiting for an answer by hand.',
        pending,
      );
      return 0;
    },
  },
  {
    name: 'suppress',
    usage: '--email ADDRESS --reason R',
    summary: 'suppress an address (R: unsubscribed, bounced, complained)',
    async run(context) {
      emailOption(context); // checked before --reason, in the order the usage lists them
      const reason = need(context.options.reason, '--reason') as SuppressionReason;
      if (!REASONS.includes(reason)) throw new UsageError(`--reason must be one of ${REASONS.join(', ')}`);
      const { email, deps, leadId } = await person(context);
      const method = reason === 'complained' ? 'complaint' : reason === 'bounced' ? 'hard_bounce' : 'unsubscribe_link';
      await suppressAndWithdraw(deps, leadId, 'marketing_email', reason, method);
      context.print(`Suppressed ${email} (${reason}) in the ${deps.connection.where}.`, { suppressed: true, reason });
      return 0;
    },
  },
  {
    name: 'leads show',
    usage: '--email ADDRESS',
    summary: 'the lead held for an address',
    async run(context) {
      const { email, deps, leadId } = await person(context);
      const stored = await deps.leads.get(leadId, deps.clock.now());
      if (!stored) {
        context.print(`No lead is held for ${email} in the ${deps.connection.where}.`, { lead: null });
        return 1;
      }
      context.print(describeLead(stored.lead), stored.lead);
      return 0;
    },
  },
];
