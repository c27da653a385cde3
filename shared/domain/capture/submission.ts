import * as z from 'zod/mini';
import { COUNTRY_CODES } from '../core/countries';
import { normalizeEmail } from '../core/email-address';
import { validationFailed } from '../core/errors';
import type { FieldSettings, FieldType, FormSettings, LeadgateSettings } from '../core/settings';
import type { StrangerMailRefusal } from '../screening/stranger-mail';

/** A parsed request body: urlencoded bodies give strings and string arrays, JSON gives anything. */
export type RawBody = Readonly<Record<string, unknown>>;

/** A submission that passed validation: only declared fields, normalized, with the consents given. */
export interface Submission {
  formId: string;
  email: string;
  fields: Record<string, string>;
  /** Purposes the person ticked, sorted. */
  grantedPurposes: string[];
  /** Marketing attribution (utm_* parameters), never personal data. */
  attribution: Record<string, string>;
  /** The request carried `Sec-GPC: 1`: an opt-out of sale and sharing. */
  gpc: boolean;
  /** Reasons found at capture to hold the submission back (time trap); empty for most. */
  screening?: string[];
  /** The client is over its budget of mail to unconfirmed addresses: send it no confirmation. */
  mailRefusal?: StrangerMailRefusal;
}

/** A filled honeypot is validated like any post, so its answer is the one a person would get. */
export type ParsedSubmission = { kind: 'honeypot' | 'submission'; submission: Submission };

const ATTRIBUTION_KEYS = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content'] as const;
const ATTRIBUTION_MAX = 200;

const DEFAULT_MAX_LENGTH: Record<FieldType, number> = {
  text: 200,
  textarea: 4000,
  email: 254,
  tel: 32,
  country: 2,
  url: 2000,
};

/** No control characters, and no Unicode line break either (NEL U+0085, U+2028, U+2029). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const SINGLE_LINE = /^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]*$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const MULTI_LINE = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/;

function valueSchema(field: FieldSettings): z.ZodMiniType<string, string> {
  const max = field.maxLength ?? DEFAULT_MAX_LENGTH[field.type];
  const base = [
    z.maxLength(max, `must be at most ${max} characters`),
    field.type === 'textarea'
      ? z.regex(MULTI_LINE, 'must not contain control characters')
      : z.regex(SINGLE_LINE, 'must be a single line without control characters'),
  ];
  switch (field.type) {
    case 'email':
      return z.string().check(...base, z.email({ error: 'must be an email address such as name@example.com' }));
    case 'tel':
      return z.string().check(...base, z.regex(/^\+?[0-9][0-9 ().-]{3,30}$/, 'must be a phone number of digits, spaces, +, -, . or parentheses'));
    case 'url':
      return z.string().check(...base, z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }));
    case 'country':
      return z.string().check(z.refine((value) => COUNTRY_CODES.has(value), 'must be an ISO 3166-1 alpha-2 country code such as DE'));
    case 'text':
    case 'textarea':
      return z.string().check(...base);
  }
}

/** Schemas are built once per field definition, not once per request. */
const schemaCache = new WeakMap<FieldSettings, z.ZodMiniType<string, string>>();
function schemaFor(field: FieldSettings) {
  let schema = schemaCache.get(field);
  if (!schema) {
    schema = valueSchema(field);
    schemaCache.set(field, schema);
  }
  return schema;
}

/** One text value from the body: absent, a string, or a problem to report. */
function singleText(raw: unknown): { value?: string; problem?: string } {
  if (raw === undefined || raw === null) return {};
  if (Array.isArray(raw)) return { problem: 'must be a single value' };
  if (typeof raw !== 'string') return { problem: 'must be text' };
  const trimmed = raw.trim();
  return trimmed === '' ? {} : { value: trimmed };
}

const EMAIL_FIELD: FieldSettings = { type: 'email', label: 'Email', required: true };

/** An address checked and normalized exactly as a form's email field is; a problem otherwise. */
export function parseEmailAddress(raw: unknown): { email: string } | { problem: string } {
  const { value, problem } = singleText(raw);
  if (problem) return { problem };
  if (value === undefined) return { problem: 'is required' };
  const normalized = normalizeEmail(value);
  const result = schemaFor(EMAIL_FIELD).safeParse(normalized);
  return result.success ? { email: normalized } : { problem: result.error.issues[0]?.message ?? 'is invalid' };
}

function list(raw: unknown): { values: string[]; problem?: string } {
  if (raw === undefined || raw === null || raw === '') return { values: [] };
  const items = Array.isArray(raw) ? raw : [raw];
  if (!items.every((item): item is string => typeof item === 'string')) {
    return { values: [], problem: 'must be a list of purpose ids' };
  }
  return { values: items.map((item) => item.trim()).filter((item) => item !== '') };
}

function own(body: RawBody, key: string): unknown {
  return Object.hasOwn(body, key) ? body[key] : undefined;
}

function parseFields(form: FormSettings, body: RawBody, problems: Record<string, string>): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, field] of Object.entries(form.fields)) {
    const { value, problem } = singleText(own(body, name));
    if (problem) {
      problems[name] = problem;
      continue;
    }
    if (value === undefined) {
      if (field.required) problems[name] = 'is required';
      continue;
    }
    // Emails are checked in their normalized form, so an internationalized domain (IDN) is
    // accepted as its ASCII (punycode) spelling; a non-ASCII local part still fails.
    const normalized = field.type === 'country' ? value.toUpperCase() : field.type === 'email' ? normalizeEmail(value) : value;
    const result = schemaFor(field).safeParse(normalized);
    if (!result.success) {
      problems[name] = result.error.issues[0]?.message ?? 'is invalid';
      continue;
    }
    fields[name] = normalized;
  }
  return fields;
}

/**
 * Which purposes the person ticked, checked against the versions of the consent texts the form
 * showed. `consentVersion` is one version (every ticked purpose's text carries it) or, in JSON,
 * an object from purpose id to version.
 */
function parseConsents(settings: LeadgateSettings, form: FormSettings, body: RawBody, problems: Record<string, string>): string[] {
  const { values, problem } = list(own(body, 'consent'));
  if (problem) {
    problems.consent = problem;
    return [];
  }
  const granted = [...new Set(values)].sort();
  const unknown = granted.filter((purpose) => !Object.hasOwn(form.purposes, purpose));
  if (unknown.length) {
    problems.consent = `this form does not ask for ${unknown.map((p) => `"${p}"`).join(', ')}; it asks for ${Object.keys(form.purposes).join(', ') || 'no purposes'}`;
    return [];
  }
  const missing = Object.entries(form.purposes)
    .filter(([purpose, ask]) => ask.required && !granted.includes(purpose))
    .map(([purpose]) => purpose);
  if (missing.length) {
    // In the person's words (the purpose's description), never our internal purpose id.
    problems.consent = `this form needs your agreement to: ${missing.map((purpose) => settings.purposes[purpose]?.description ?? purpose).join(' ')}`;
    return [];
  }
  if (granted.length === 0) return granted;

  const rawVersion = own(body, 'consentVersion');
  // One version for all purposes, or per purpose: a JSON object, or `consentVersion.<purpose>` fields.
  const shownVersion = (purpose: string): unknown =>
    rawVersion !== null && typeof rawVersion === 'object' && !Array.isArray(rawVersion)
      ? own(rawVersion as RawBody, purpose)
      : (own(body, `consentVersion.${purpose}`) ?? rawVersion);
  for (const purpose of granted) {
    const shown = shownVersion(purpose);
    const current = settings.purposes[purpose]?.consentText.version;
    if (shown === undefined || shown === null || shown === '') {
      problems.consentVersion = 'is required with consent: the version of the consent text the form showed';
    } else if (typeof shown !== 'string') {
      problems.consentVersion = 'must be a version string';
    } else if (shown !== current) {
      problems.consentVersion = `"${shown.slice(0, 40)}" is not the current consent text version for ${purpose} (${current}); reload the form`;
    }
    if (problems.consentVersion) break;
  }
  return granted;
}

function parseAttribution(body: RawBody): Record<string, string> {
  const attribution: Record<string, string> = {};
  for (const key of ATTRIBUTION_KEYS) {
    const { value } = singleText(own(body, key));
    if (value !== undefined && value.length <= ATTRIBUTION_MAX && SINGLE_LINE.test(value)) attribution[key] = value;
  }
  return attribution;
}

/**
 * Validates a body against a form's declaration. Undeclared keys are dropped, never stored.
 * A filled honeypot is validated like any other post and answered alike, so a bot learns nothing
 * from the answer; the caller stores nothing for it.
 */
export function parseSubmission(settings: LeadgateSettings, formId: string, form: FormSettings, body: RawBody, gpcHeader: boolean): ParsedSubmission {
  // The embed script reports navigator.globalPrivacyControl in the body; either signal counts.
  const gpc = gpcHeader || body.gpc === true || body.gpc === '1' || body.gpc === 'true';
  const problems: Record<string, string> = {};
  const fields = parseFields(form, body, problems);
  const grantedPurposes = parseConsents(settings, form, body, problems);
  if (Object.keys(problems).length) throw validationFailed(problems);
  const trap = form.honeypotField ? own(body, form.honeypotField) : undefined;
  return {
    kind: trap !== undefined && trap !== null && trap !== '' ? 'honeypot' : 'submission',
    submission: {
      formId,
      email: fields.email as string,
      fields,
      grantedPurposes,
      attribution: parseAttribution(body),
      gpc,
    },
  };
}
