import { COUNTRY_CODES } from '../domain/core/countries';
import type { FieldSettings, FormSettings, LeadgateSettings } from '../domain/core/settings';
import { type Html, html, trusted } from '../email/html';
import { EMBED_SCRIPT, EMBED_SCRIPT_CSP_SOURCE } from './embed-script';
import { page } from './html';
import { contentSecurityPolicy, FORM_PAGE_HEADERS } from './responses';

export interface FormView {
  formId: string;
  /** Where the form posts: relative on the hosted page, absolute in an embed snippet. */
  action: string;
  /**
   * Where the script posts instead, when not the action: on the hosted page, capture's function URL
   * (no per-request charge), the action staying on the API for a visitor without JavaScript.
   */
  postUrl?: string;
  /** The signed render timestamp; absent in a static embed snippet (the script fetches one). */
  renderToken?: string;
  values?: Record<string, unknown>;
  errors?: Record<string, string>;
  /** A message about the whole form, shown above it (the post failed on our side: send it again). */
  notice?: string;
  /** The enhancement script: loaded from its URL (an embed snippet), or carried inline (the hosted page, whose policy allows it by hash). */
  script?: { url: string } | 'inline';
  /** URL of the privacy page (GET /privacy), shown beside the privacy notice. */
  privacyPage?: string;
}

const INPUT_TYPES: Record<FieldSettings['type'], string> = { text: 'text', email: 'email', tel: 'tel', url: 'url', country: 'text', textarea: 'text' };
const AUTOCOMPLETE: Record<string, string> = {
  email: 'email',
  firstName: 'given-name',
  lastName: 'family-name',
  company: 'organization',
  jobTitle: 'organization-title',
  country: 'country',
  phone: 'tel',
};

let countryOptions: Html | undefined;
function countries(selected: string): Html {
  countryOptions ??= (() => {
    const names = new Intl.DisplayNames(['en'], { type: 'region' });
    return html`${[...COUNTRY_CODES]
      .map((code) => [code, names.of(code) ?? code] as const)
      .sort((a, b) => a[1].localeCompare(b[1]))
      .map(([code, name]) => html`<option value="${code}">${name}</option>`)}`;
  })();
  // The list is built once; the selected country (a validated ISO code) is marked in its copy.
  const options = trusted(countryOptions.markup.replace(html`value="${selected}"`.markup, html`value="${selected}" selected`.markup));
  return html`<option value="">Choose…</option>${options}`;
}

function field(name: string, spec: FieldSettings, value: string, error: string | undefined): Html {
  const id = `lg-${name}`;
  const describedBy = error && html` aria-describedby="${id}-error" aria-invalid="true"`;
  const required = spec.required && html` required aria-required="true"`;
  const label = html`<label for="${id}">${spec.label}${spec.required && html` <span aria-hidden="true">*</span>`}</label>`;
  const max = spec.maxLength ? html` maxlength="${spec.maxLength}"` : undefined;
  const auto = AUTOCOMPLETE[name] && html` autocomplete="${AUTOCOMPLETE[name]}"`;
  let control: Html;
  if (spec.type === 'textarea') control = html`<textarea id="${id}" name="${name}" rows="5"${max}${required}${describedBy}>${value}</textarea>`;
  else if (spec.type === 'country') control = html`<select id="${id}" name="${name}"${required}${describedBy}${auto}>${countries(value)}</select>`;
  else control = html`<input id="${id}" name="${name}" type="${INPUT_TYPES[spec.type]}" value="${value}"${max}${required}${describedBy}${auto}>`;
  const message = html`<p class="lg-error" id="${id}-error"${!error && html` hidden`}>${error}</p>`;
  return html`<div class="lg-field">${label}${control}${message}</div>`;
}

/** Items joined by line breaks, as the markup has always been laid out. */
const lines = (items: Html[]): Html => trusted(items.map((item) => item.markup).join('\n'));

/** The form's markup: declared fields, unticked consent boxes with their exact texts, the honeypot. */
export function formMarkup(settings: LeadgateSettings, form: FormSettings, view: FormView): Html {
  const values = view.values ?? {};
  const errors = view.errors ?? {};
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : '');
  const ticked = new Set([values.consent ?? []].flat());
  const fields = lines(Object.entries(form.fields).map(([name, spec]) => field(name, spec, text(name), errors[name])));
  const purposes = lines(
    Object.entries(form.purposes).map(([id, ask]) => {
      const purpose = settings.purposes[id]!;
      return html`<div class="lg-consent"><input type="checkbox" id="lg-consent-${id}" name="consent" value="${id}"${ticked.has(id) && html` checked`}${ask.required && html` required`}>
<label for="lg-consent-${id}">${purpose.consentText.text}${ask.required && html` <span aria-hidden="true">*</span>`}</label>
<input type="hidden" name="consentVersion.${id}" value="${purpose.consentText.version}"></div>`;
    }),
  );
  const consentError = errors.consent ?? errors.consentVersion;
  const turnstile = settings.screening.turnstile;
  return html`<form class="leadgate" data-leadgate="${view.formId}" method="post" action="${view.action}"${view.postUrl && html` data-post="${view.postUrl}"`} novalidate>
${(view.notice || Object.keys(errors).length > 0) && html`<div class="lg-summary" role="alert"><p>${view.notice ?? 'Please correct the fields marked below.'}</p></div>`}
${fields}
${purposes.markup !== '' && html`<fieldset><legend>How we may use your details</legend>${purposes}<p class="lg-error" id="lg-consent-error"${!consentError && html` hidden`}>${consentError}</p><p><a href="${settings.organization.privacyNoticeUrl}">Privacy notice</a>${view.privacyPage && html` · <a href="${view.privacyPage}">Your data: a copy, a correction or erasure</a>`}</p></fieldset>`}
${form.honeypotField && html`<div aria-hidden="true" style="position:absolute;left:-10000px;top:auto;width:1px;height:1px;overflow:hidden"><label for="lg-${form.honeypotField}">Leave this empty</label><input id="lg-${form.honeypotField}" name="${form.honeypotField}" tabindex="-1" autocomplete="off"></div>`}
${view.renderToken && html`<input type="hidden" name="renderedAt" value="${view.renderToken}">`}
${turnstile.enabled && html`<div class="cf-turnstile" data-sitekey="${turnstile.siteKey}"></div><script src="https://challenges.cloudflare.com/turnstile/v0/api.js" async defer></script>`}
<button type="submit">Send</button>
<p class="lg-status" role="status" aria-live="polite"></p>
</form>${view.script && html`\n${view.script === 'inline' ? html`<script>${trusted(EMBED_SCRIPT)}</script>` : html`<script src="${view.script.url}" defer></script>`}`}`;
}

const STYLE = trusted(`<style>.leadgate{display:grid;gap:.75rem;max-width:32rem}.lg-field label,.lg-consent label{display:block;font-weight:600}
.lg-field input,.lg-field select,.lg-field textarea{width:100%;padding:.5rem;font:inherit;box-sizing:border-box}
.lg-consent{display:flex;gap:.5rem;align-items:flex-start}.lg-consent label{font-weight:400}.lg-error{color:#a00;margin:.25rem 0 0}
[aria-invalid=true]{border:2px solid #a00}button{padding:.6rem 1.2rem;font:inherit}fieldset{border:1px solid #ccc}</style>`);

/** The hosted page: works with JavaScript off, and the script enhances it when on. */
export function formPage(settings: LeadgateSettings, form: FormSettings, view: FormView, status = 200): { status: number; html: string } {
  return { status, html: page(form.title, html`${STYLE}<h1>${form.title}</h1>\n${formMarkup(settings, form, view)}`) };
}

/**
 * The hosted form page may be framed (`npx leadgate embed FORM --iframe`) by the pages its form
 * already lets post (`allowedOrigins`), and by no other; every other page by none. It runs the
 * embed script it carries inline, allowed by the script's hash, and no other inline script; the
 * script may reach its own origin and `postsTo` (capture's function URL), no other.
 */
export const hostedFormHeaders = (allowedOrigins: readonly string[], postsTo?: string): Record<string, string> => ({
  ...FORM_PAGE_HEADERS,
  'content-security-policy': contentSecurityPolicy(
    allowedOrigins.length ? allowedOrigins.join(' ') : "'none'",
    EMBED_SCRIPT_CSP_SOURCE,
    postsTo && new URL(postsTo).origin,
  ),
});
