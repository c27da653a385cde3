const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);

// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const HEADER_BREAKERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/**
 * One line for a header such as Subject: control characters and every Unicode line break (CR,
 * LF, NEL U+0085, U+2028, U+2029) removed, length bounded.
 */
export function headerText(text: string, max = 150): string {
  const line = text.replace(HEADER_BREAKERS, ' ').replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Who sent it, for a footer: the postal address alone when it already starts with the name. */
export function senderLine(organization: { name: string; postalAddress: string }): string {
  return organization.postalAddress.startsWith(organization.name) ? organization.postalAddress : `${organization.name}, ${organization.postalAddress}`;
}
