import type { FunctionEnv } from '../config/function-env';
import { Resolver } from 'node:dns/promises';
import type { MailDomains } from '../domain/screening/stranger-mail';

const POSITIVE_TTL_MS = 60 * 60_000;
const NEGATIVE_TTL_MS = 10 * 60_000;
const MAX_CACHED = 10_000;
/** Answers that mean the name has no such records (as opposed to a lookup that failed). */
const ABSENT = new Set(['ENODATA', 'ENOTFOUND', 'NXDOMAIN']);

/**
 * Mail records from DNS, with a short timeout and a per-container cache. A domain receives mail
 * if it has MX records (not RFC 7505's null MX) or, failing those, an address record (RFC 5321
 * implicit MX). A lookup that times out or fails counts as receiving: DNS trouble must not stop
 * a real person's confirmation, and the budgets still bound what a stranger can cause.
 */
export class DnsMailDomains implements MailDomains {
  private readonly cache = new Map<string, { accepts: boolean; until: number }>();

  constructor(private readonly resolver = new Resolver({ timeout: 1500, tries: 1 })) {}

  async acceptsMail(domain: string): Promise<boolean> {
    const cached = this.cache.get(domain);
    if (cached && cached.until > Date.now()) return cached.accepts;
    const accepts = await this.lookUp(domain);
    if (this.cache.size >= MAX_CACHED) this.cache.clear();
    this.cache.set(domain, { accepts, until: Date.now() + (accepts ? POSITIVE_TTL_MS : NEGATIVE_TTL_MS) });
    return accepts;
  }

  private async lookUp(domain: string): Promise<boolean> {
    try {
      const records = await this.resolver.resolveMx(domain);
      if (records.length) return !records.every((record) => record.exchange === '' || record.exchange === '.');
    } catch (error) {
      if (!ABSENT.has((error as NodeJS.ErrnoException).code ?? '')) return true;
    }
    const addresses = await Promise.allSettled([this.resolver.resolve4(domain), this.resolver.resolve6(domain)]);
    if (addresses.some((result) => result.status === 'fulfilled' && result.value.length > 0)) return true;
    return addresses.some((result) => result.status === 'rejected' && !ABSENT.has((result.reason as NodeJS.ErrnoException).code ?? ''));
  }
}

/**
 * The local runtime's resolver double: nothing here reaches DNS. It knows the names reserved for
 * examples and tests (RFC 2606, RFC 6761) as domains that receive mail, `.invalid` as one that
 * never does, and any other name as unknown: no mail, as for a made-up domain.
 */
export class ExampleMailDomains implements MailDomains {
  async acceptsMail(domain: string): Promise<boolean> {
    if (domain.endsWith('.invalid') || domain === 'invalid') return false;
    return /(^|\.)(example\.(com|net|org)|example|test|localhost)$/.test(domain);
  }
}

/** DNS in AWS; the double in the local runtime, which asks for it (VARIABLES.mailDomains). */
export const createMailDomains = (env: Pick<FunctionEnv, 'mailDomains'>): MailDomains =>
  env.mailDomains === 'examples' ? new ExampleMailDomains() : new DnsMailDomains();
