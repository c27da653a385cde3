import { COUNTRY_CODES } from '../domain/countries';
import type { FieldSettings, FormSettings, LeadgateSettings } from '../domain/settings';
import { escapeHtml as e, page } from './html';

export interface FormView {
  formId: string;
  /** Where the form posts: relative on the hosted page, absolute in an embed snippet. */
  action: string;
  /** The signed render timestamp; absent in a static embed snippet (the script fetches one). */
  renderToken?: string;
  values?: Record<string, unknown>;
  errors?: Record<string, string>;
  /** URL of the enhancement script, if any. */
  scriptUrl?: string;
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

let countryOptions: string | undefined;
function countries(selected: string): string {
  countryOptions ??= (() => {
    const names = new Intl.DisplayNames(['en'], { type: 'region' });
    return [...COUNTRY_CODES]
      .map((code) => [code, names.of(code) ?? code] as const)
      .sort((a, b) => a[1].localeCompare(b[1]))
      .map(([code, name]) => `<option value="${code}">${e(name)}</option>`)
      .join('');
  })();
  const options = countryOptions.replace(`value="${selected}"`, `value="${selected}" selected`);
  return `<option value="">Choose…</option>${options}`;
}

function field(name: string, spec: FieldSettings, value: string, error: string | undefined): string {
  const id = `lg-${name}`;
  const describedBy = error ? ` aria-describedby="${id}-error" aria-invalid="true"` : '';
  const required = spec.required ? ' required aria-required="true"' : '';
  const label = `<label for="${id}">${e(spec.label)}${spec.required ? ' <span aria-hidden="true">*</span>' : ''}</label>`;
  const max = spec.maxLength ? ` maxlength="${spec.maxLength}"` : '';
  const auto = AUTOCOMPLETE[name] ? ` autocomplete="${AUTOCOMPLETE[name]}"` : '';
  let control: string;
  if (spec.type === 'textarea') control = `<textarea id="${id}" name="${e(name)}" rows="5"${max}${required}${describedBy}>${e(value)}</textarea>`;
  else if (spec.type === 'country') control = `<select id="${id}" name="${e(name)}"${required}${describedBy}${auto}>${countries(value)}</select>`;
  else control = `<input id="${id}" name="${e(name)}" type="${INPUT_TYPES[spec.type]}" value="${e(value)}"${max}${required}${describedBy}${auto}>`;
  const message = `<p class="lg-error" id="${id}-error"${error ? '' : ' hidden'}>${error ? e(error) : ''}</p>`;
  return `<div class="lg-field">${label}${control}${message}</div>`;
}

/** The form's markup: declared fields, unticked consent boxes with their exact texts, the honeypot. */
export function formMarkup(settings: LeadgateSettings, form: FormSettings, view: FormView): string {
  const values = view.values ?? {};
  const errors = view.errors ?? {};
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : '');
  const ticked = new Set([values.consent ?? []].flat());
  const fields = Object.entries(form.fields)
    .map(([name, spec]) => field(name, spec, text(name), errors[name]))
    .join('\n');
  const purposes = Object.entries(form.purposes)
    .map(([id, ask]) => {
      const purpose = settings.purposes[id]!;
      return `<div class="lg-consent"><input type="checkbox" id="lg-consent-${e(id)}" name="consent" value="${e(id)}"${ticked.has(id) ? ' checked' : ''}${ask.required ? ' required' : ''}>
<label for="lg-consent-${e(id)}">${e(purpose.consentText.text)}</label>
<input type="hidden" name="consentVersion.${e(id)}" value="${e(purpose.consentText.version)}"></div>`;
    })
    .join('\n');
  const consentError = errors.consent ?? errors.consentVersion;
  return `<form class="leadgate" data-leadgate="${e(view.formId)}" method="post" action="${e(view.action)}" novalidate>
${Object.keys(errors).length ? `<div class="lg-summary" role="alert"><p>Please correct the fields marked below.</p></div>` : ''}
${fields}
${purposes ? `<fieldset><legend>How we may use your details</legend>${purposes}<p class="lg-error" id="lg-consent-error"${consentError ? '' : ' hidden'}>${consentError ? e(consentError) : ''}</p><p><a href="${e(settings.organization.privacyNoticeUrl)}">Privacy notice</a></p></fieldset>` : ''}
${form.honeypotField ? `<div aria-hidden="true" style="position:absolute;left:-10000px;top:auto;width:1px;height:1px;overflow:hidden"><label for="lg-${e(form.honeypotField)}">Leave this empty</label><input id="lg-${e(form.honeypotField)}" name="${e(form.honeypotField)}" tabindex="-1" autocomplete="off"></div>` : ''}
${view.renderToken ? `<input type="hidden" name="renderedAt" value="${e(view.renderToken)}">` : ''}
${settings.screening.turnstile.enabled ? `<div class="cf-turnstile" data-sitekey="${e(settings.screening.turnstile.siteKey)}"></div><script src="https://challenges.cloudflare.com/turnstile/v0/api.js" async defer></script>` : ''}
<button type="submit">Send</button>
<p class="lg-status" role="status" aria-live="polite"></p>
</form>${view.scriptUrl ? `\n<script src="${e(view.scriptUrl)}" defer></script>` : ''}`;
}

const STYLE = `<style>.leadgate{display:grid;gap:.75rem;max-width:32rem}.lg-field label,.lg-consent label{display:block;font-weight:600}
.lg-field input,.lg-field select,.lg-field textarea{width:100%;padding:.5rem;font:inherit;box-sizing:border-box}
.lg-consent{display:flex;gap:.5rem;align-items:flex-start}.lg-consent label{font-weight:400}.lg-error{color:#a00;margin:.25rem 0 0}
[aria-invalid=true]{border:2px solid #a00}button{padding:.6rem 1.2rem;font:inherit}fieldset{border:1px solid #ccc}</style>`;

/** The hosted page: works with JavaScript off, and the script enhances it when on. */
export function formPage(settings: LeadgateSettings, form: FormSettings, view: FormView, status = 200): { status: number; html: string } {
  return { status, html: page(form.title, `${STYLE}<h1>${e(form.title)}</h1>\n${formMarkup(settings, form, view)}`) };
}
