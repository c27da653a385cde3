import type { LeadgateSettings } from '../domain/core/settings';
import { html } from '../email/html';
import { page } from './html';

export { PRIVACY_PAGE_PATH } from '../domain/core/links';

/**
 * GET /privacy: where a person asks for a copy of their data, a correction or an erasure. A plain
 * form (no JavaScript needed) posting to /privacy/requests, which answers every address alike and
 * mails the link to the address itself: only its owner can act on it.
 */
export function privacyRequestPage(settings: LeadgateSettings): string {
  const { organization, screening } = settings;
  const choice = (value: string, label: string, checked = false) =>
    html`<p><label><input type="radio" name="type" value="${value}"${checked && html` checked`} required> ${label}</label></p>`;
  return page(
    `Your data at ${organization.name}`,
    html`<h1>Your data at ${organization.name}</h1>
<p>Ask for a copy of what we hold about you, to correct it, or to erase it. We email a link to the address you give: only its owner can go ahead, and we answer every address the same way.</p>
<form method="post" action="/privacy/requests">
<p><label for="privacy-email">Your email address</label><br><input id="privacy-email" name="email" type="email" autocomplete="email" size="40" required></p>
<fieldset><legend>What would you like?</legend>
${choice('access', 'A copy of my data', true)}${choice('rectification', 'To correct my data')}${choice('erasure', 'To erase my data')}
</fieldset>
${screening.turnstile.enabled && html`<div class="cf-turnstile" data-sitekey="${screening.turnstile.siteKey}"></div><script src="https://challenges.cloudflare.com/turnstile/v0/api.js" async defer></script>`}
<p><button type="submit">Send me the link</button></p>
</form>
<p><a href="${organization.privacyNoticeUrl}">Privacy notice</a></p>`,
  );
}
