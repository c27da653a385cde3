import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../../shared/email/escape';
import { html, multiline, trusted } from '../../shared/email/html';

describe('the html tag', () => {
  it('escapes every interpolated value by default, in text and in attributes', () => {
    const name = `"><script>alert('x')</script>&`;
    expect(html`<p title="${name}">${name}</p>`.markup).toBe(
      '<p title="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;">&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;</p>',
    );
  });

  it('nests fragments once, joins lists, and renders nothing for false, null and undefined (but 0 as 0)', () => {
    const items = ['a<b', 'c&d'].map((item) => html`<li>${item}</li>`);
    expect(html`<ul>${items}</ul>${false}${null}${undefined}${0}`.markup).toBe('<ul><li>a&lt;b</li><li>c&amp;d</li></ul>0');
    expect(html`${trusted('<style>a>b{}</style>')}`.markup).toBe('<style>a>b{}</style>');
    expect(multiline('one <1>\ntwo').markup).toBe('one &lt;1&gt;<br>two');
  });

  it('never lets an interpolated string add markup', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const markup = html`<p>${text}</p>`.markup;
        expect(markup).toBe(`<p>${escapeHtml(text)}</p>`);
        expect(markup.slice(3, -4)).not.toMatch(/[<>"']/);
      }),
    );
  });
});
