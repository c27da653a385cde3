import { describe, expect, it } from 'vitest';
import { escapeHtml, headerText, senderLine } from '../../shared/email/escape';

describe('header values', () => {
  it.each(['\r\n', '\n', '\u0085', '\u2028', '\u2029', '\u000b', '\u001b'])('never carry the line break or control %j', (separator) => {
    const value = headerText(`Acme${separator}Bcc: victim@example.com`);
    expect(value).toBe('Acme Bcc: victim@example.com');
    expect(value).not.toMatch(/[\r\n\u0085\u2028\u2029]/);
  });

  it('bound the length and escape HTML separately', () => {
    expect(headerText('x'.repeat(200), 10)).toBe(`${'x'.repeat(9)}…`);
    expect(escapeHtml(`<a href="x">'`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;');
  });
});

describe('the sender line of a footer', () => {
  it('prints the organisation once when the postal address starts with its name', () => {
    expect(senderLine({ name: 'Example Ltd', postalAddress: 'Example Ltd, 1 Example Street, London' })).toBe('Example Ltd, 1 Example Street, London');
    expect(senderLine({ name: 'Example Ltd', postalAddress: '1 Example Street, London' })).toBe('Example Ltd, 1 Example Street, London');
  });
});
