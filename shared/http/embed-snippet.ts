import type { LeadgateSettings } from '../domain/core/settings';
import { html } from '../email/html';
import { formMarkup } from './form-page';
import { PRIVACY_PAGE_PATH } from './privacy-page';

/**
 * The HTML a marketer pastes into any page: a plain form that works alone, enhanced by the script.
 * It posts (and the script asks for its render token) at `captureUrl`: the API, or the capture
 * function's own URL (stack output CaptureUrl); the script and the privacy page come from the API.
 */
export function embedSnippet(settings: LeadgateSettings, formId: string, apiUrl: string, captureUrl = apiUrl): string {
  const form = settings.forms[formId];
  if (!form) throw new Error(`no form "${formId}"; configured: ${Object.keys(settings.forms).join(', ')}`);
  const base = apiUrl.replace(/\/$/, '');
  const markup = formMarkup(settings, form, {
    formId,
    action: `${captureUrl.replace(/\/$/, '')}/forms/${encodeURIComponent(formId)}/submissions`,
    script: { url: `${base}/embed.js` },
    privacyPage: `${base}${PRIVACY_PAGE_PATH}`,
  });
  return html`<!-- Leadgate form "${formId}". Add this page's origin to forms.${formId}.allowedOrigins. -->\n${markup}\n`.markup;
}

/**
 * The same form as an iframe of the hosted page: nothing of ours runs on the host page, and the
 * hosted page lets only the form's `allowedOrigins` frame it (Content-Security-Policy).
 */
export function iframeSnippet(settings: LeadgateSettings, formId: string, apiUrl: string): string {
  const form = settings.forms[formId];
  if (!form) throw new Error(`no form "${formId}"; configured: ${Object.keys(settings.forms).join(', ')}`);
  const src = `${apiUrl.replace(/\/$/, '')}/forms/${encodeURIComponent(formId)}`;
  return html`<!-- Leadgate form "${formId}" in a frame. Add this page's origin to forms.${formId}.allowedOrigins. -->
<iframe src="${src}" title="${form.title}" loading="lazy" style="border:0;width:100%;min-height:44rem"></iframe>
`.markup;
}
