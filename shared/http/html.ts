import { type Html, html, trusted } from '../email/html';
import { type HttpResponse, htmlResponse } from './responses';

const STYLE = trusted(
  '<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}h1{font-size:1.5rem}li{margin:.25rem 0}</style>',
);

/** A whole page: a valid HTML document, its content in <main> (`head`: more of the head, written in the source). */
export function page(title: string, body: Html, head?: Html): string {
  return html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
${STYLE}${head}
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`.markup;
}

/** A page whose one button POSTs back to the same link: GETs (mail scanners) change nothing. */
export function confirmButtonPage(title: string, text: string, button: string, token: string): string {
  return page(
    title,
    html`<h1>${title}</h1><p>${text}</p>
<form method="post" action="?t=${encodeURIComponent(token)}"><button type="submit">${button}</button></form>`,
  );
}

export const messagePage = (title: string, text: string): string => page(title, html`<h1>${title}</h1><p>${text}</p>`);

const LINK_PROBLEMS = {
  forged: { status: 400, title: 'This link is not valid', text: 'The link is damaged or incomplete: open it again from the email, whole.' },
  expired: { status: 410, title: 'This link has expired', text: 'Links in our emails work for a limited time.' },
  used: { status: 410, title: 'This link was already used', text: 'It works once, and it has done its job.' },
} as const;

/**
 * The answer to a link that cannot be used, on GET as on POST: 400 for a damaged or forged one,
 * 410 for an expired or used one, each saying what to do next.
 */
export function linkProblem(problem: keyof typeof LINK_PROBLEMS, nextStep: string): HttpResponse {
  const { status, title, text } = LINK_PROBLEMS[problem];
  return htmlResponse(status, messagePage(title, `${text} ${nextStep}`));
}
