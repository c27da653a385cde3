import { expect } from 'vitest';
import type { LocalRuntime } from '../../infra/local/runtime';
import { eventually, post } from './local-runtime';
import { mailTo, sentMail } from './mail';

const linkIn = (text: string) => /(http:\/\/\S+\/privacy\/requests\/confirm\?t=\S+)/.exec(text)![1]!;

/** Asks for a privacy request as the person would, and returns the link mailed to them. */
export async function requestLink(runtime: LocalRuntime, email: string, type: string): Promise<string> {
  const before = mailTo(await sentMail(runtime), email).length;
  const response = await post(runtime, '/privacy/requests', { email, type });
  expect(response.status).toBe(202);
  const mails = await eventually(async () => {
    const all = mailTo(await sentMail(runtime), email);
    expect(all.length).toBe(before + 1);
    return all;
  });
  return linkIn(mails.at(-1)!.body.text ?? '');
}
