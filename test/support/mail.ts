import type { LocalRuntime } from '../../infra/local/runtime';

export interface StoredMail {
  messageId: string;
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
  headers?: { name: string; value: string }[];
  at: number;
}

/** Every email the local SES has accepted, read from its store (what its web viewer shows). */
export async function sentMail(runtime: LocalRuntime): Promise<StoredMail[]> {
  const response = await fetch(`${runtime.urls.ses}/store`);
  const { emails } = (await response.json()) as { emails: StoredMail[] };
  return emails;
}

export const mailTo = (mails: StoredMail[], address: string) => mails.filter((m) => m.destination.to.includes(address));

/** The accept link in an assignment email's text body. */
export function acceptLinkIn(mail: StoredMail): string {
  const match = /(https?:\/\/\S+\/assignments\/accept\?t=\S+)/.exec(mail.body.text ?? '');
  if (!match) throw new Error(`no accept link in "${mail.subject}"`);
  return match[1] as string;
}
