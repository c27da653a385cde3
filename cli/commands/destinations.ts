import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { redrive } from '../dlq';
import { DynamoDeliveryLog } from '../../shared/adapters/dynamo-delivery-log';
import { DynamoErasureNotices } from '../../shared/adapters/dynamo-erasure-notices';
import { parseDuration } from '../../infra/local/clock-route';
import { type Command, type CommandContext, need, UsageError } from '../command';

function destinationOf(context: CommandContext): string {
  const id = need(context.options.destination, '--destination ID');
  const known = Object.keys(context.settings().destinations);
  if (!known.includes(id)) throw new UsageError(`unknown destination "${id}"; destinations: ${known.join(', ') || 'none configured'}`);
  return id;
}

/** --since: an ISO time, or a duration back from now (30m, 4h, 2d); default the last 24 hours. */
function sinceOf(context: CommandContext, now: Date): Date {
  const since = context.options.since;
  if (!since) return new Date(now.getTime() - 86_400_000);
  const back = parseDuration(since);
  if (back !== undefined) return new Date(now.getTime() - back);
  const at = Date.parse(since);
  if (Number.isNaN(at)) throw new UsageError(`--since takes an ISO time or a duration such as 4h, not "${since}"`);
  return new Date(at);
}

/** The delivery log of the destination named by --destination since --since. */
async function loggedDeliveries(context: CommandContext) {
  const id = destinationOf(context);
  const connection = await context.connection();
  const entries = await new DynamoDeliveryLog(connection.db, connection.tableName).list(id, sinceOf(context, connection.clock.now()));
  return { id, connection, entries };
}

export const destinationCommands: Command[] = [
  {
    name: 'deliveries list',
    usage: '--destination ID [--since 4h|ISO]',
    summary: "a destination's deliveries: each attempt's outcome, status and latency (no personal data)",
    async run(context) {
      const { id, entries } = await loggedDeliveries(context);
      const rows = entries.map(
        (e) =>
          `${e.at}  ${e.outcome.padEnd(13)} ${String(e.status ?? '').padEnd(14)} ${e.type.padEnd(17)} attempt ${e.attempt}  ${e.deliveryId}${e.reason ? `  (${e.reason})` : ''}`,
      );
      context.print(
        rows.length ? rows.join('\n') : `No deliveries to ${id} in that time.`,
        entries.map(({ event: _event, ...entry }) => entry),
      );
      return 0;
    },
  },
  {
    name: 'deliveries replay',
    usage: '--destination ID --since 4h|ISO',
    summary: 'send a destination again every event delivered to it since then (same webhook-id each, in order per lead)',
    async run(context) {
      if (!context.options.since) throw new UsageError('replay needs --since, so it never re-sends everything by accident');
      const { id, connection, entries: logged } = await loggedDeliveries(context);
      const entries = logged.filter((e) => e.outcome === 'delivered');
      const queue = connection.destinationQueue(id);
      const now = Date.now();
      for (let i = 0; i < entries.length; i += 10) {
        const batch = entries.slice(i, i + 10);
        const sent = await connection.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: queue.url,
            Entries: batch.map((e, j) => ({
              Id: String(j),
              MessageBody: JSON.stringify({ ...e.event, destinations: [id] }),
              MessageGroupId: e.event.leadId,
              MessageDeduplicationId: `${e.deliveryId}-replay-${now}`.slice(0, 128),
            })),
          }),
        );
        if (sent.Failed?.length) throw new Error(`${sent.Failed.length} event(s) could not be queued again`);
      }
      context.print(`Queued ${entries.length} event(s) for ${id} again; each is re-read and re-checked as it is delivered.`, { replayed: entries.length });
      return 0;
    },
  },
  {
    name: 'deliveries redrive',
    usage: '--destination ID',
    summary: "move a destination's dead-lettered deliveries back to its queue (after fixing what failed)",
    async run(context) {
      const id = destinationOf(context);
      const connection = await context.connection();
      const queue = connection.destinationQueue(id);
      const moved = await redrive(connection.sqs, queue.deadLetterUrl, queue.url, true);
      context.print(`${id}: moved ${moved} delivery(ies) back from the dead-letter queue`, { moved });
      return 0;
    },
  },
  {
    name: 'erasures show',
    usage: 'RECEIPT_ID',
    summary: "an erasure's notices to each recipient of the person's data: sent, acknowledged or failed, and when",
    async run(context) {
      const receiptId = need(context.args[0], 'the receipt id (ersr_...)');
      const connection = await context.connection();
      const record = await new DynamoErasureNotices(connection.db, connection.tableName).get(receiptId);
      if (!record) {
        context.print(`No notices are recorded for ${receiptId} (its person's data had gone to no destination).`, { receiptId, notices: [] });
        return 0;
      }
      const { outbox: _outbox, ...shown } = record;
      context.print(
        [
          `Erasure ${receiptId} at ${record.erasedAt}:`,
          ...record.notices.map((n) => `  ${n.destination} (${n.type}): ${n.notice} at ${n.at}${n.reason ? ` (${n.reason})` : ''}`),
        ].join('\n'),
        shown,
      );
      return 0;
    },
  },
];
