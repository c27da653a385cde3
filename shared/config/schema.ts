import { z } from 'zod';
import { isProtectedAttribute } from '../domain/routing/protected-attributes';
import { templateFields } from '../domain/nurture/template';
import { DESTINATION_EVENT_TYPES, type DestinationEventType } from '../domain/destinations/event-types';
import { DEFAULT_EDGE } from '../domain/core/settings';

export const FIELD_TYPES = ['text', 'email', 'tel', 'country', 'textarea', 'url'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** Names the capture endpoint reads itself; a form may not declare a field with one of them. */
export const RESERVED_FIELD_NAMES = ['consent', 'consentVersion', 'renderedAt', 'gpc', 'turnstileToken', '__proto__', 'constructor', 'prototype'];
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
  fields: z.record(z.string().regex(identifier, 'field names are letters, digits and underscores, starting with a letter'), fieldSchema),
  purposes: z.record(z.string(), z.strictObject({ required: z.boolean().default(false) })).default({}),
  doubleOptIn: z.boolean().default(false),
  retentionDays: z.int().min(1).max(3650),
  honeypotField: z.string().regex(identifier).optional(),
  successUrl: httpsUrl,
  /**
   * `optional` (the default): a post without the form's render token (a plain HTML form, a server
   * posting) is screened by everything else; `required`: it is held (`render_token_missing`). A
   * token that is present is always checked: forged, expired, too fast or reused is held.
   */
  renderToken: z.enum(['required', 'optional']).default('optional'),
  /** Origins (scheme://host[:port]) whose pages may post this form from the browser (CORS). */
  allowedOrigins: z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, 'expected an origin such as https://www.example.com')).default([]),
});

const screeningSchema = z
  .strictObject({
    /** Quarantine submissions sent faster than this after the form was rendered. */
    minSecondsToSubmit: z.number().min(0).max(60).default(2),
    /** Render tokens older than this are treated as forged or replayed. */
    maxRenderAgeHours: z.number().positive().max(168).default(24),
    quarantineDisposableEmail: z.boolean().default(true),
    rateLimits: z
      .strictObject({
        perIpPerMinute: z.int().min(1).default(120),
        perEmailPerHour: z.int().min(1).default(20),
      })
      .default({ perIpPerMinute: 120, perEmailPerHour: 20 }),
    /** Who gets a digest of held submissions with links to release or discard each (no terminal needed). */
    reviewers: z.array(emailAddress).max(20).default([]),
    /** Submissions one render token may carry; a validation error does not use it up. */
    renderTokenUses: z.int().min(1).max(20).default(1),
    /** Leads from one client IP per hour before the rest are held for review (a real event's booth can be released in one go). */
    burst: z
      .strictObject({
        perIpPerHour: z.int().min(1).default(10),
        patternPerIpPerHour: z.int().min(1).default(3),
      })
      .default({ perIpPerHour: 10, patternPerIpPerHour: 3 }),
    /** Cloudflare Turnstile, verified server-side; the secret comes from the environment or Secrets Manager. */
    turnstile: z
      .strictObject({
        enabled: z.boolean().default(false),
        siteKey: z.string().default(''),
        verifyUrl: z.url().default('https://challenges.cloudflare.com/turnstile/v0/siteverify'),
      })
      .default({ enabled: false, siteKey: '', verifyUrl: 'https://challenges.cloudflare.com/turnstile/v0/siteverify' }),
  })
  .default({
    minSecondsToSubmit: 2,
    maxRenderAgeHours: 24,
    quarantineDisposableEmail: true,
    rateLimits: { perIpPerMinute: 120, perEmailPerHour: 20 },
    reviewers: [],
    renderTokenUses: 1,
    burst: { perIpPerHour: 10, patternPerIpPerHour: 3 },
    turnstile: { enabled: false, siteKey: '', verifyUrl: 'https://challenges.cloudflare.com/turnstile/v0/siteverify' },
  });

const MAIL_BUDGET_DEFAULTS = {
  perIpPerHour: 10,
  perIpPerHourWithHumanCheck: 100,
  perDomainPerHour: 20,
  globalPerHour: 300,
  requireHumanCheck: false,
  breaker: { bounceRate: 0.02, windowMinutes: 60, minimumSent: 50 },
};

const mailBudgetSchema = z
  .strictObject({
    perIpPerHour: z.int().min(0).default(MAIL_BUDGET_DEFAULTS.perIpPerHour),
    perIpPerHourWithHumanCheck: z.int().min(0).default(MAIL_BUDGET_DEFAULTS.perIpPerHourWithHumanCheck),
    perDomainPerHour: z.int().min(0).default(MAIL_BUDGET_DEFAULTS.perDomainPerHour),
    globalPerHour: z.int().min(0).default(MAIL_BUDGET_DEFAULTS.globalPerHour),
    requireHumanCheck: z.boolean().default(false),
    breaker: z
      .strictObject({
        /** Hard bounces per mail sent to unconfirmed addresses that pauses such mail (SES reviews at 5 %). */
        bounceRate: z.number().gt(0).max(0.05).default(MAIL_BUDGET_DEFAULTS.breaker.bounceRate),
        windowMinutes: z.int().min(10).max(1440).default(MAIL_BUDGET_DEFAULTS.breaker.windowMinutes),
        /** Mails in the window before a rate means anything. */
        minimumSent: z.int().min(1).default(MAIL_BUDGET_DEFAULTS.breaker.minimumSent),
      })
      .default(MAIL_BUDGET_DEFAULTS.breaker),
  })
  .default(MAIL_BUDGET_DEFAULTS);

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD');

const conditionSchema = z
  .strictObject({
    form: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
    field: z.string().optional(),
    present: z.boolean().optional(),
    equals: z.string().optional(),
    in: z.array(z.string()).min(1).optional(),
    matches: z
      .string()
      .refine((source) => {
        try {
          new RegExp(source, 'i');
          return true;
        } catch {
          return false;
        }
      }, 'expected a valid regular expression')
      .optional(),
    emailDomain: z.enum(['corporate', 'free_mail'], { error: 'expected corporate or free_mail' }).optional(),
    score: z.strictObject({ gte: z.number().optional(), lt: z.number().optional() }).optional(),
  })
  .refine((c) => Object.keys(c).length > 0, 'expected at least one condition')
  .refine(
    (c) => c.field !== undefined || (c.present === undefined && c.equals === undefined && c.in === undefined && c.matches === undefined),
    'present, equals, in and matches need a field',
  )
  .refine(
    (c) => c.field === undefined || [c.present, c.equals, c.in, c.matches].filter((t) => t !== undefined).length === 1,
    'a field condition takes exactly one of present, equals, in, matches',
  );

const scoringSchema = z.strictObject({
  rules: z
    .array(
      z.strictObject({
        id: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'rule ids are lower_snake_case'),
        when: conditionSchema,
        points: z.int().min(-100).max(100),
        reason: z.string().min(3),
      }),
    )
    .default([]),
});

const repSchema = z.strictObject({
  email: emailAddress,
  name: z.string().min(1).optional(),
  weight: z.int().min(1).max(100).default(1),
  unavailable: z.array(z.strictObject({ from: isoDate, to: isoDate })).default([]),
});

const teamSchema = z.strictObject({
  strategy: z.enum(['round_robin', 'weighted', 'capacity'], { error: 'expected one of round_robin, weighted, capacity' }),
  slaHours: z
    .number()
    .positive()
    .max(24 * 30)
    .default(4),
  dailyCap: z.int().min(1).optional(),
  reps: z.array(repSchema).min(1, 'a team needs at least one rep'),
});

const routingSchema = z.strictObject({
  rules: z.array(z.strictObject({ when: conditionSchema, team: z.string() })).default([]),
  fallbackTeam: z.string(),
  teams: z.record(z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, 'team ids are lower-case'), teamSchema),
});

const duration = z
  .string()
  .regex(/^\d{1,3}d$/, 'expected a number of days such as 0d or 3d')
  .transform((text) => Number(text.slice(0, -1)));

const nurtureSchema = z.strictObject({
  topics: z.record(z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'topic ids are lower_snake_case'), z.string().min(1)).default({}),
  sequences: z
    .record(
      z.string().regex(/^[a-z][a-z0-9_-]{0,63}$/, 'sequence ids are lower-case'),
      z.strictObject({
        purpose: z.string(),
        steps: z
          .array(
            z.strictObject({
              after: duration,
              topic: z.string(),
              subject: z.string().min(1).max(200),
              text: z.string().min(1),
              html: z.string().min(1),
            }),
          )
          .min(1),
      }),
    )
    .default({}),
});

const DESTINATION_DEFAULT_EVENTS = {
  webhook: [...DESTINATION_EVENT_TYPES],
  hubspot: ['lead.created', 'lead.updated', 'lead.assigned', 'lead.accepted', 'lead.reassigned', 'lead.rectified'],
  slack: ['lead.assigned', 'lead.reassigned'],
} satisfies Record<'webhook' | 'hubspot' | 'slack', DestinationEventType[]>;

/** Minimization by default: the address and the name; Slack, which identifies nobody by default, the company. */
const DESTINATION_DEFAULT_FIELDS = {
  webhook: ['email', 'firstName', 'lastName', 'name'],
  hubspot: ['email', 'firstName', 'lastName', 'name'],
  slack: ['company'],
};

const destinationSchema = z
  .strictObject({
    type: z.enum(['webhook', 'hubspot', 'slack'], { error: 'expected one of webhook, hubspot, slack' }),
    url: z.url({ protocol: /^https?$/, error: 'expected an https URL' }).optional(),
    events: z.array(z.enum(DESTINATION_EVENT_TYPES, { error: `expected one of ${DESTINATION_EVENT_TYPES.join(', ')}` })).optional(),
    purposes: z.array(z.string()).default([]),
    thirdParty: z.boolean(),
    fields: z.array(z.string()).optional(),
    properties: z.record(z.string(), z.string().regex(/^[a-z][a-z0-9_]{0,99}$/, 'HubSpot property names are lower_snake_case')).default({}),
    onWithdrawal: z.enum(['delete', 'keep']).default('delete'),
    maxConcurrency: z.int().min(2).max(50).default(2),
  })
  .transform((d) => ({
    ...d,
    url: d.url ?? (d.type === 'hubspot' ? 'https://api.hubapi.com' : undefined),
    events: d.events ?? DESTINATION_DEFAULT_EVENTS[d.type],
    fields: d.fields ?? DESTINATION_DEFAULT_FIELDS[d.type],
  }));

/** Known utm values counters may carry: short, lower-case, no separators of counter keys. */
const ATTRIBUTION_VALUE = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const ATTRIBUTION_MESSAGE = 'known sources and campaigns are 1-64 lower-case letters, digits, dots, dashes and underscores';

/** Destination ids name queues and secrets: short, lower-case. */
export const DESTINATION_ID = /^[a-z][a-z0-9-]{0,29}$/;

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
    /** Create the SES identity for this domain (Easy DKIM) in the stack. */
    manageIdentity: z.boolean().default(false),
  }),
  purposes: z.record(z.string().regex(purposeId, 'purpose ids are lower_snake_case'), purposeSchema),
  retention: z
    .strictObject({
      unconfirmedDays: z.int().min(1).max(90).default(7),
      withdrawnGraceDays: z.int().min(0).max(365).default(30),
    })
    .default({ unconfirmedDays: 7, withdrawnGraceDays: 30 }),
  forms: z.record(z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'form ids are lower-case letters, digits and dashes'), formSchema),
  screening: screeningSchema,
  mailBudget: mailBudgetSchema,
  scoring: scoringSchema.default({ rules: [] }),
  routing: routingSchema,
  nurture: nurtureSchema
    .transform(({ topics, sequences }) => ({
      topics,
      sequences: Object.fromEntries(
        Object.entries(sequences).map(([id, sequence]) => [
          id,
          { purpose: sequence.purpose, steps: sequence.steps.map(({ after, ...step }) => ({ afterDays: after, ...step })) },
        ]),
      ),
    }))
    .default({ topics: {}, sequences: {} }),
  destinations: z.record(z.string().regex(DESTINATION_ID, 'destination ids are 1-30 lower-case letters, digits and dashes'), destinationSchema).default({}),
  /**
   * Reports: the attribution values counters may carry (any other counts as `other`, so no
   * counter key holds text a person typed), how many of a person's submissions in a month count,
   * and the privacy budget of shared (private) reports per month.
   */
  insight: z
    .strictObject({
      sources: z.array(z.string().regex(ATTRIBUTION_VALUE, ATTRIBUTION_MESSAGE)).max(200).default([]),
      campaigns: z.array(z.string().regex(ATTRIBUTION_VALUE, ATTRIBUTION_MESSAGE)).max(1000).default([]),
      journeysPerPersonPerMonth: z.int().min(1).max(10).default(2),
      epsilonPerMonth: z.number().positive().max(100).default(3),
    })
    .default({ sources: [], campaigns: [], journeysPerPersonPerMonth: 2, epsilonPerMonth: 3 }),
  /** Who is told when something needs an operator: every alarm of the stack notifies its topic, and this address when set. */
  operations: z.strictObject({ alarmEmail: emailAddress.optional() }).default({}),
  /**
   * How requests reach the functions. `captureFunctionUrl` (default on): the capture function also
   * has a Lambda function URL (stack output CaptureUrl), where embedded forms fetch their render
   * token and post with no per-request edge charge and no stage throttle shared by every visitor;
   * off, they use the API. `captureReservedConcurrency`: a ceiling on capture's concurrent
   * invocations (through either), for an account that wants a flood's cost bounded.
   */
  edge: z
    .strictObject({
      captureFunctionUrl: z.boolean().default(DEFAULT_EDGE.captureFunctionUrl),
      captureReservedConcurrency: z.int().min(1).max(10_000).optional(),
    })
    .default(DEFAULT_EDGE),
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
    if (email?.type !== 'email' || email.required !== true) {
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
  problems.push(...ruleProblems(root), ...nurtureProblems(root), ...senderProblems(root), ...destinationProblems(root));
  if (asRecord(root.mailBudget).requireHumanCheck === true && asRecord(asRecord(root.screening).turnstile).enabled !== true) {
    problems.push({
      path: ['mailBudget', 'requireHumanCheck'],
      message: 'needs screening.turnstile.enabled: without a human check nothing could ever be mailed',
    });
  }
  return problems;
}

/**
 * The From address must be one the SES identity may send as: the identity itself (an address),
 * or an address at the identity's domain or a subdomain of it. Otherwise SES refuses the send, or
 * the mail fails DMARC alignment and Gmail and Yahoo reject or junk it.
 */
function senderProblems(root: Record<string, unknown>): { path: string[]; message: string }[] {
  const sender = asRecord(root.sender);
  const { fromAddress, identity } = sender;
  if (typeof fromAddress !== 'string' || typeof identity !== 'string' || !fromAddress.includes('@')) return [];
  const from = fromAddress.toLowerCase();
  const id = identity.toLowerCase();
  const domain = from.slice(from.lastIndexOf('@') + 1);
  const covered = id.includes('@') ? from === id : domain === id || domain.endsWith(`.${id}`);
  return covered
    ? []
    : [
        {
          path: ['sender', 'fromAddress'],
          message: `"${fromAddress}" is not covered by sender.identity "${identity}": use an address at ${id.includes('@') ? id : `${id} (or a subdomain)`}, or change the identity`,
        },
      ];
}

/** A loopback host: the only place a destination may be reached over plain http (the local runtime's doubles). */
export const isLoopback = (url: URL): boolean => ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);

/** A destination names known purposes and declared fields, and sends over https (plain http only to loopback, for the local runtime). */
function destinationProblems(root: Record<string, unknown>): { path: string[]; message: string }[] {
  const problems: { path: string[]; message: string }[] = [];
  const purposes = Object.keys(asRecord(root.purposes));
  const declared = new Set(Object.values(asRecord(root.forms)).flatMap((form) => Object.keys(asRecord(asRecord(form).fields))));
  for (const [id, raw] of Object.entries(asRecord(root.destinations))) {
    const destination = asRecord(raw);
    const at = (...path: string[]) => ['destinations', id, ...path];
    for (const purpose of Array.isArray(destination.purposes) ? destination.purposes : []) {
      if (typeof purpose === 'string' && !purposes.includes(purpose)) problems.push({ path: at('purposes'), message: `unknown purpose "${purpose}"` });
    }
    const named = [...(Array.isArray(destination.fields) ? destination.fields : []), ...Object.keys(asRecord(destination.properties))];
    for (const field of named) {
      if (typeof field === 'string' && field !== 'email' && !declared.has(field))
        problems.push({ path: at('fields'), message: `no form declares a field "${field}"` });
    }
    if (destination.type === 'webhook' && destination.url === undefined) problems.push({ path: at('url'), message: 'a webhook destination needs a url' });
    if (destination.type === 'slack' && destination.url !== undefined) {
      problems.push({ path: at('url'), message: "a Slack destination's webhook URL is a secret: keep it in the destination's secret, not here" });
    }
    if (typeof destination.url === 'string' && URL.canParse(destination.url)) {
      const url = new URL(destination.url);
      if (url.protocol !== 'https:' && !isLoopback(url))
        problems.push({ path: at('url'), message: 'expected an https URL (plain http only to 127.0.0.1, locally)' });
    }
  }
  return problems;
}

/** Templates may name only fields declared by a form that asks for the sequence's purpose. */
function nurtureProblems(root: Record<string, unknown>): { path: string[]; message: string }[] {
  const problems: { path: string[]; message: string }[] = [];
  const nurture = asRecord(root.nurture);
  const topics = asRecord(nurture.topics);
  const purposes = asRecord(root.purposes);
  for (const [sequenceId, rawSequence] of Object.entries(asRecord(nurture.sequences))) {
    const sequence = asRecord(rawSequence);
    const at = (...path: string[]) => ['nurture', 'sequences', sequenceId, ...path];
    const purpose = sequence.purpose;
    if (typeof purpose === 'string' && !Object.hasOwn(purposes, purpose)) {
      problems.push({ path: at('purpose'), message: `unknown purpose "${purpose}"` });
    }
    const declared = new Set(
      Object.values(asRecord(root.forms))
        .map(asRecord)
        .filter((form) => typeof purpose === 'string' && Object.hasOwn(asRecord(form.purposes), purpose))
        .flatMap((form) => Object.keys(asRecord(form.fields))),
    );
    const steps = Array.isArray(sequence.steps) ? sequence.steps : [];
    let previous = -1;
    steps.forEach((rawStep, index) => {
      const step = asRecord(rawStep);
      if (typeof step.topic === 'string' && !Object.hasOwn(topics, step.topic)) {
        problems.push({ path: at('steps', String(index), 'topic'), message: `unknown topic "${step.topic}"` });
      }
      const days = typeof step.after === 'string' ? Number.parseInt(step.after, 10) : NaN;
      if (days <= previous) problems.push({ path: at('steps', String(index), 'after'), message: 'steps must come in increasing order of time' });
      if (!Number.isNaN(days)) previous = days;
      for (const part of ['subject', 'text', 'html']) {
        if (typeof step[part] !== 'string') continue;
        for (const field of templateFields(step[part] as string)) {
          if (!declared.has(field)) {
            problems.push({
              path: at('steps', String(index), part),
              message: `{{${field}}} is not a field of any form that asks for ${String(purpose)}`,
            });
          }
        }
      }
    });
  }
  return problems;
}

/** Rules may read only declared fields, never protected attributes or their proxies. */
function ruleProblems(root: Record<string, unknown>): { path: string[]; message: string }[] {
  const problems: { path: string[]; message: string }[] = [];
  const forms = asRecord(root.forms);
  const declared = new Set(Object.values(forms).flatMap((form) => Object.keys(asRecord(asRecord(form).fields))));
  const checkCondition = (when: unknown, path: string[], allowScore: boolean) => {
    const condition = asRecord(when);
    const field = condition.field;
    if (typeof field === 'string') {
      if (isProtectedAttribute(field)) {
        problems.push({
          path: [...path, 'field'],
          message: `"${field}" is a protected or sensitive attribute (or a proxy for one); rules may not score or route on it`,
        });
      } else if (!declared.has(field)) {
        problems.push({ path: [...path, 'field'], message: `no form declares a field "${field}"` });
      }
    }
    for (const formId of [condition.form].flat()) {
      if (typeof formId === 'string' && !Object.hasOwn(forms, formId)) {
        problems.push({ path: [...path, 'form'], message: `unknown form "${formId}"` });
      }
    }
    if (!allowScore && condition.score !== undefined) {
      problems.push({ path: [...path, 'score'], message: 'a scoring rule cannot depend on the score' });
    }
  };
  const scoringRules = asRecord(root.scoring).rules;
  if (Array.isArray(scoringRules)) {
    scoringRules.forEach((rule, i) => {
      checkCondition(asRecord(rule).when, ['scoring', 'rules', String(i), 'when'], false);
    });
  }
  const routing = asRecord(root.routing);
  const teams = asRecord(routing.teams);
  if (Array.isArray(routing.rules)) {
    routing.rules.forEach((rule, i) => {
      checkCondition(asRecord(rule).when, ['routing', 'rules', String(i), 'when'], true);
      const team = asRecord(rule).team;
      if (typeof team === 'string' && !Object.hasOwn(teams, team)) {
        problems.push({ path: ['routing', 'rules', String(i), 'team'], message: `unknown team "${team}"` });
      }
    });
  }
  if (typeof routing.fallbackTeam === 'string' && !Object.hasOwn(teams, routing.fallbackTeam)) {
    problems.push({ path: ['routing', 'fallbackTeam'], message: `unknown team "${routing.fallbackTeam}"` });
  }
  for (const [teamId, rawTeam] of Object.entries(teams)) {
    const team = asRecord(rawTeam);
    if (team.strategy === 'capacity' && team.dailyCap === undefined) {
      problems.push({ path: ['routing', 'teams', teamId, 'dailyCap'], message: 'the capacity strategy needs a dailyCap' });
    }
  }
  return problems;
}

export type LeadgateConfig = z.output<typeof configSchema>;
export type FormConfig = LeadgateConfig['forms'][string];
export type FieldConfig = FormConfig['fields'][string];
export type PurposeConfig = LeadgateConfig['purposes'][string];
