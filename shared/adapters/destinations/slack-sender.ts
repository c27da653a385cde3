import { IncomingWebhook, IncomingWebhookHTTPError } from '@slack/webhook';
import type { DestinationSender, Outgoing, SendResult } from '../../domain/destinations/deliver';
import { STATUS_CODES } from 'node:http';
import type { BoundedAnswer } from '../bounded-request';
import { callDestination, DESTINATION_TIMEOUT_MS, resultOf, unanswered } from './destination-call';

type Assignment = { team: string; rep: string; score: number; reasons: { reason: string; points: number }[]; fields: Record<string, string>; from?: string };

/** The channel message of an assignment: who, how good, to whom; personal details only as the destination's fields allow. */
export function slackMessage(type: 'lead.assigned' | 'lead.reassigned', data: Assignment, acceptUrl: string | undefined) {
  const { company, email, phone, ...rest } = data.fields;
  const who = company ?? ([rest.firstName, rest.lastName].filter(Boolean).join(' ') || 'A new lead');
  const reasons = [...data.reasons]
    .sort((a, b) => b.points - a.points)
    .slice(0, 3)
    .map((r) => r.reason);
  const headline =
    type === 'lead.reassigned'
      ? `${who} was reassigned to ${data.rep} (team ${data.team}) after ${data.from ?? 'the previous rep'} missed the SLA`
      : `${who} was assigned to ${data.rep} (team ${data.team})`;
  const lines = [
    `*${headline}*`,
    `Score ${data.score}${reasons.length ? `: ${reasons.join('; ')}` : ''}`,
    ...(email ? [`Email: ${email}`] : []),
    ...(phone ? [`Phone: ${phone}`] : []),
    ...(acceptUrl ? [`<${acceptUrl}|Accept the lead>`] : []),
  ];
  return { text: headline, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } }] };
}

/**
 * A team channel message on each assignment and SLA reassignment, through Slack's incoming
 * webhook with Slack's own client; its fetch is ours (node:http, no redirects, a timeout, a bounded body).
 */
export class SlackSender implements DestinationSender {
  constructor(
    private readonly webhookUrlOf: (destinationId: string) => Promise<string>,
    private readonly timeoutMs = DESTINATION_TIMEOUT_MS,
  ) {}

  async send({ destinationId, event, acceptUrl }: Outgoing): Promise<SendResult> {
    if (event.type !== 'lead.assigned' && event.type !== 'lead.reassigned') return { ok: true, status: 'not_applicable' };
    let answer: BoundedAnswer | undefined;
    // What Slack's client reads of a fetch answer (ok, status, statusText, text()), without fetch.
    const bounded = async (url: string | URL | Request, init?: RequestInit) => {
      answer = await callDestination(String(url), init?.headers as Record<string, string>, String(init?.body ?? ''), this.timeoutMs);
      const { status, body } = answer;
      return { ok: status >= 200 && status < 300, status, statusText: STATUS_CODES[status] ?? '', text: async () => body };
    };
    const webhook = new IncomingWebhook(await this.webhookUrlOf(destinationId), { fetch: bounded as unknown as typeof fetch, timeout: this.timeoutMs });
    try {
      await webhook.send(slackMessage(event.type, event.data as Assignment, acceptUrl));
      return { ok: true, status: answer?.status ?? 200 };
    } catch (error) {
      if (error instanceof IncomingWebhookHTTPError && answer) return resultOf(answer);
      return unanswered(error);
    }
  }
}
