import { escapeHtml } from './escape';

/**
 * Markup built by the `html` tag: every interpolated value is escaped unless it is itself Html
 * (a fragment built the same way, or a trusted constant marked with `trusted`). Escaping is the
 * default, so a value that reaches a page or an email unescaped is one somebody chose to trust.
 */
export class Html {
  constructor(readonly markup: string) {}
  toString(): string {
    return this.markup;
  }
}

/** An interpolated value: text (escaped), Html (as is), a list of either (joined), or nothing. */
export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[];

const render = (value: HtmlValue): string => {
  if (value instanceof Html) return value.markup;
  if (Array.isArray(value)) return value.map(render).join('');
  // false, null and undefined render nothing, so `${condition && html`...`}` reads naturally.
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
};

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let markup = strings[0] ?? '';
  values.forEach((value, i) => {
    markup += render(value) + (strings[i + 1] ?? '');
  });
  return new Html(markup);
}

/** Markup written in the source (a style sheet, a script tag): never anything a person sent. */
export const trusted = (markup: string): Html => new Html(markup);

/** Text whose line breaks show: each line escaped, joined by <br>. */
export const multiline = (text: string): Html => new Html(text.split(/\r?\n/).map(escapeHtml).join('<br>'));

/** A whole HTML email: a valid document (language, charset and the subject as its title). */
export const emailDocument = (subject: string, body: Html): string =>
  html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${subject}</title></head><body style="font-family:system-ui,sans-serif">${body}</body></html>`
    .markup;
