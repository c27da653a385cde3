import { readFile } from 'node:fs/promises';
import { DynamoUnverifiedMailStats } from '../../shared/adapters/dynamo-unverified-mail-stats';
import { verifyReceipt } from '../../shared/domain/consent/receipts';
import { resumeStrangerMail } from '../../shared/domain/screening/stranger-mail';
import { embedSnippet, iframeSnippet } from '../../shared/http/embed-snippet';
import { DEFAULT_PORTS } from '../../infra/local/names';
import { type Command, type CommandContext, need, UsageError } from '../command';
import { redrive } from '../dlq';
import { localRuntimeUrls, stackOutputs } from '../connection';

/**
 * Where an embed's script and pages come from (the API) and where it fetches its render token and
 * posts (capture's URL): the flags first, then a deployed stack's outputs, else the local runtime's.
 */
export function embedEndpoints(
  flags: { api?: string | undefined; capture?: string | undefined },
  outputs: Record<string, string | undefined> | undefined,
  local: { api: string; capture: string } | undefined,
): { api: string; capture: string } {
  // --api (a custom domain before the API, say) is where the form posts too, unless --capture says otherwise.
  if (flags.api) return { api: flags.api, capture: flags.capture ?? flags.api };
  if (outputs && !outputs.ApiUrl) throw new Error('the stack has no ApiUrl output: is it a Leadgate stack?');
  const found = outputs?.ApiUrl ? { api: outputs.ApiUrl, capture: outputs.CaptureUrl ?? outputs.ApiUrl } : local;
  if (!found) throw new Error('no URLs to embed: pass --stack NAME or --api URL');
  return { api: found.api, capture: flags.capture ?? found.capture };
}

async function mailBreaker(context: CommandContext, resume: boolean): Promise<number> {
  const connection = await context.connection();
  const stats = new DynamoUnverifiedMailStats(connection.db, connection.tableName);
  const now = connection.clock.now();
  if (resume) await resumeStrangerMail({ mailStats: stats }, now);
  const breaker = await stats.breaker();
  const paused = (breaker.pausedUntil ?? 0) > now.getTime() / 1000;
  context.print(
    paused
      ? `Mail to unconfirmed addresses is PAUSED until ${new Date((breaker.pausedUntil ?? 0) * 1000).toISOString()} (hard-bounce rate ${((breaker.bounceRate ?? 0) * 100).toFixed(1)} %). Resume with: leadgate mail resume`
      : `Mail to unconfirmed addresses is flowing${breaker.resumedAt ? ` (resumed ${breaker.resumedAt})` : ''}.`,
    { paused, ...breaker },
  );
  return 0;
}

export const operationsCommands: Command[] = [
  {
    name: 'mail status',
    usage: '',
    summary: 'whether mail to unconfirmed addresses is paused by the bounce breaker',
    run: (context) => mailBreaker(context, false),
  },
  {
    name: 'mail resume',
    usage: '',
    summary: 'resume it after fixing the cause (bounces before now no longer count)',
    run: (context) => mailBreaker(context, true),
  },
  {
    name: 'receipt verify',
    usage: 'FILE [--public-key=K]',
    summary: 'check a consent or erasure receipt offline',
    async run(context) {
      const file = need(context.args[0], 'the receipt file');
      let document: unknown;
      try {
        document = JSON.parse(await readFile(file, 'utf8'));
      } catch (error) {
        throw new Error(`cannot read ${file} as JSON: ${(error as Error).message}`);
      }
      const key = context.options['public-key'];
      const check = verifyReceipt(document, key);
      const trust = key ? '' : ' (signature checked against the key in the receipt; pass --public-key to pin the issuer)';
      context.print(check.valid ? `valid${trust}` : `INVALID: ${check.reason}`, check);
      return check.valid ? 0 : 1;
    },
  },
  {
    name: 'embed',
    usage: 'FORM_ID [--stack NAME | --api URL [--capture URL]] [--iframe]',
    summary:
      "print a ready-to-paste HTML snippet for a form (--stack: a deployed stack's URLs; --capture: where it posts when not the API; --iframe: the hosted page in a frame, no script on yours)",
    async run(context) {
      const formId = need(context.args[0], 'the form id');
      const outputs = context.options.stack ? await stackOutputs(context.options.stack) : undefined;
      const fallback = `http://127.0.0.1:${context.io.env.PORT ?? DEFAULT_PORTS.api}`;
      const local = outputs ? undefined : (localRuntimeUrls(context.options.dir) ?? { api: fallback, capture: fallback });
      const { api, capture } = embedEndpoints(context.options, outputs, local);
      if (context.options.iframe) context.io.out(iframeSnippet(context.settings(), formId, api));
      else context.io.out(embedSnippet(context.settings(), formId, api, capture));
      return 0;
    },
  },
  {
    name: 'dlq redrive',
    usage: '[--queue NAME]',
    summary: 'move dead-lettered messages back to their queue (all queues by default)',
    async run(context) {
      const connection = await context.connection();
      const names = context.options.queue ? [context.options.queue] : Object.keys(connection.queues);
      const moved: Record<string, number> = {};
      for (const name of names) {
        const queue = connection.queues[name as keyof typeof connection.queues];
        if (!queue) throw new UsageError(`unknown queue "${name}"; queues: ${Object.keys(connection.queues).join(', ')}`);
        moved[name] = await redrive(connection.sqs, queue.deadLetterUrl, queue.url);
      }
      context.print(
        Object.entries(moved)
          .map(([name, n]) => `${name}: moved ${n} message(s) back from the dead-letter queue`)
          .join('\n'),
        moved,
      );
      return 0;
    },
  },
];
