import { domainToASCII } from 'node:url';

/**
 * The one spelling of an address that identifies a person: trimmed, lower-cased, with an
 * internationalized domain in its ASCII (punycode) form. Local parts are lower-cased too:
 * every large mailbox provider treats them case-insensitively, and two leads for one person
 * would be worse than the rare provider that does not.
 */
export function normalizeEmail(address: string): string {
  const trimmed = address.trim();
  const at = trimmed.lastIndexOf('@');
  if (at < 1) return trimmed.toLowerCase();
  const local = trimmed.slice(0, at).toLowerCase();
  const domain = domainToASCII(trimmed.slice(at + 1).toLowerCase()) || trimmed.slice(at + 1).toLowerCase();
  return `${local}@${domain}`;
}

/** `j***@example.com`: enough for a person to recognise their address, not enough to harvest it. */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 1) return '***';
  return `${address[0]}***${address.slice(at)}`;
}
