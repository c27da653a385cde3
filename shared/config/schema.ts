import { z } from 'zod';

export const FIELD_TYPES = ['text', 'email', 'tel', 'country', 'textarea', 'url'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** Names the capture endpoint reads itself; a form may not declare a field with one of them. */
export const RESERVED_FIELD_NAMES = ['consent', 'consentVersion', 'renderedAt', '__proto__', 'constructor', 'prototype'];
const identifier = /^[a-zA-Z][a-zA-Z0-9_]{0,63}$/;
const purposeId = /^[a-z][a-z0-9_]{0,63}$/;

const httpsUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });
const emailAddress = z.email({ error: 'expected an email address' });

const fieldSchema = z.strictObject({
  type: z.enum(FIELD_TYPES, { error: `expected one of ${FIELD_TYPES.join(', ')}` }),
  label: z.string().min(1),
  required: z.boolean().default(false),
  maxLength: z.int().min(1).max(10_000).optional(),
});

const consentTextSchema = z.strictObject({
  version: z.string().regex(/^[A-Za-z0-9._-]{1,40}$/, 'expected 1-40 letters, digits, dots, dashes or underscores'),
  text: z.string().min(10, 'expected the exact sentence shown to the person'),
});

const purposeSchema = z.strictObject({
  description: z.string().min(1),
  consentText: consentTextSchema,
});

const formSchema = z.strictObject({
  title: z.string().min(1),
  fields: z.record(
    z.string().regex(identifier, 'field names are letters, digits and underscores, starting with a letter'),
    fieldSchema,
  ),
  purposes: z.record(z.string(), z.strictObject({ required: z.boolean().default(false) })).default({}),
  doubleOptIn: z.boolean().default(false),
  retentionDays: z.int().min(1).max(3650),
  honeypotField: z.string().regex(identifier).optional(),
  successUrl: httpsUrl,
});

export const configSchema = z.strictObject({
  organization: z.strictObject({
    name: z.string().min(1),
    postalAddress: z.string().min(10, 'expected the full physical postal address'),
    privacyNoticeUrl: httpsUrl,
  }),
  sender: z.strictObject({
    fromAddress: emailAddress,
    fromName: z.string().min(1),
    identity: z.string().min(3),
  }),
  purposes: z.record(z.string().regex(purposeId, 'purpose ids are lower_snake_case'), purposeSchema),
  retention: z
    .strictObject({
      unconfirmedDays: z.int().min(1).max(90).default(7),
      withdrawnGraceDays: z.int().min(0).max(365).default(30),
    })
    .default({ unconfirmedDays: 7, withdrawnGraceDays: 30 }),
  forms: z.record(z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'form ids are lower-case letters, digits and dashes'), formSchema),
});

type Loose = Record<string, unknown> | undefined;
const asRecord = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/**
 * Checks across sections (a form naming an unknown purpose, ...). They run on the raw document,
 * alongside the schema rather than after it, so one run reports every problem in the file.
 */
export function crossReferenceProblems(document: unknown): { path: string[]; message: string }[] {
  const problems: { path: string[]; message: string }[] = [];
  const root = asRecord(document);
  const purposes = Object.keys(asRecord(root.purposes));
  for (const [formId, rawForm] of Object.entries(asRecord(root.forms))) {
    const form = asRecord(rawForm);
    const fields = asRecord(form.fields);
    const at = (...path: string[]) => ['forms', formId, ...path];
    const email = fields.email as Loose;
    if (!email || email.type !== 'email' || email.required !== true) {
      problems.push({ path: at('fields', 'email'), message: 'every form declares a required field "email" of type email (leads are keyed by it)' });
    }
    for (const name of Object.keys(fields)) {
      if (RESERVED_FIELD_NAMES.includes(name) || name.startsWith('utm_')) {
        problems.push({ path: at('fields', name), message: `"${name}" is reserved by the capture endpoint` });
      }
    }
    if (typeof form.honeypotField === 'string' && Object.hasOwn(fields, form.honeypotField)) {
      problems.push({ path: at('honeypotField'), message: 'the honeypot must not be a declared field' });
    }
    const asked = asRecord(form.purposes);
    for (const purpose of Object.keys(asked)) {
      if (!purposes.includes(purpose)) {
        problems.push({ path: at('purposes', purpose), message: `unknown purpose; expected one of ${purposes.join(', ')}` });
      }
    }
    if (form.doubleOptIn === true && !Object.values(asked).some((p) => asRecord(p).required === true)) {
      problems.push({ path: at('doubleOptIn'), message: 'double opt-in needs a required purpose to confirm' });
    }
  }
  return problems;
}

export type LeadgateConfig = z.output<typeof configSchema>;
export type FormConfig = LeadgateConfig['forms'][string];
export type FieldConfig = FormConfig['fields'][string];
export type PurposeConfig = LeadgateConfig['purposes'][string];
