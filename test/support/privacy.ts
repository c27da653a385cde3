import { expect } from 'vitest';
import type { LocalRuntime } from '../../infra/local/runtime';
import { eventually, post } from './local-runtime';
import { mailTo, sentMail } from './mail';

const linkIn = (text: string) => /(http:\/\/\S+\/privacy\/requests\/confirm\?t=\S+)/.exec(text)?.[1];

/**
 * Asks for a privacy request as the person would, and returns the link mailed to them: the one
 * new mail with a privacy link (a welcome the person's routing sends may arrive in between).
 */
export async function requestLink(runtime: LocalRuntime, email: string, type: string): Promise<string> {
  const before = mailTo(await sentMail(runtime), email).length;
  const response = await post(runtime, '/privacy/requests', { email, type });
  expect(response.status).toBe(202);
  const links = await eventually(async () => {
    const found = mailTo(await sentMail(runtime), email)
      .slice(before)
      .flatMap((mail) => linkIn(mail.body.text ?? '') ?? []);
    expect(found).toHaveLength(1);
    return found;
  });
  return links[0]!;
}
