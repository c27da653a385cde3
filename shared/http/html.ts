import { escapeHtml } from '../email/escape';

export { escapeHtml };

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}h1{font-size:1.5rem}li{margin:.25rem 0}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

/** A page whose one button POSTs back to the same link: GETs (mail scanners) change nothing. */
export function confirmButtonPage(title: string, text: string, button: string, token: string): string {
  return page(
    title,
    `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p>
<form method="post" action="?t=${escapeHtml(encodeURIComponent(token))}"><button type="submit">${escapeHtml(button)}</button></form>`,
  );
}

export const messagePage = (title: string, text: string): string => page(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p>`);
