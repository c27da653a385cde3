import { type Html, html, trusted } from '../email/html';

const STYLE = trusted(
  '<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}h1{font-size:1.5rem}li{margin:.25rem 0}</style>',
);

/** A whole page: a valid HTML document, its content in <main>. */
export function page(title: string, body: Html): string {
  return html`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
${STYLE}
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
