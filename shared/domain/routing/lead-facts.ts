import freeMailDomains from 'email-providers/common.json' with { type: 'json' };

/** What rules may look at: declared fields, the form, the kind of email domain. Nothing else. */
export interface LeadFacts {
  formId: string;
  fields: Readonly<Record<string, string>>;
  emailDomain: string;
}

const FREE_MAIL: ReadonlySet<string> = new Set(freeMailDomains as string[]);

/** Names reserved for examples and tests (RFC 2606, RFC 6761): nobody's mailbox provider. */
const RESERVED = /(^|\.)(example\.(com|net|org)|example|test|invalid|localhost)$/;

export const isFreeMailDomain = (domain: string): boolean => FREE_MAIL.has(domain) && !RESERVED.test(domain);

export const emailDomainOf = (email: string): string => email.slice(email.lastIndexOf('@') + 1);
