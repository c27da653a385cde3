import { type StoredMail, storedMail } from '../../infra/local/local-stores';
import type { LocalRuntime } from '../../infra/local/runtime';

export type { StoredMail };

/** Every email the local SES has accepted, read from its store (what its web viewer shows). */
export const sentMail = (runtime: LocalRuntime): Promise<StoredMail[]> => storedMail(runtime.urls.ses);

export const mailTo = (mails: StoredMail[], address: string) => mails.filter((m) => m.destination.to.includes(address));

/** The accept link in an assignment email's text body. */
export function acceptLinkIn(mail: StoredMail): string {
  const match = /(https?:\/\/\S+\/assignments\/accept\?t=\S+)/.exec(mail.body.text ?? '');
  if (!match) throw new Error(`no accept link in "${mail.subject}"`);
  return match[1] as string;
}
