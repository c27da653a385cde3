import { functionEnv } from '../config/function-env';
import { bundledSettings } from '../config/settings-source';
import { createKeyring, type Keyring } from '../domain/core/keyring';
import type { NurtureMessage, RoutingMessage } from '../domain/core/ports';
import type { RouteDeps } from '../domain/routing/route-lead';
import { compileRouting } from '../domain/routing/routing';
import { compileScoring } from '../domain/routing/scoring';
import type { LeadgateSettings } from '../domain/core/settings';
import type { StrangerMailDeps } from '../domain/screening/stranger-mail';
import { assignmentEmails } from '../email/assignment-email';
import { personEmails } from '../email/person-emails';
import { createDocumentClient, createSesClient, createSnsClient, createSqsClient } from './aws-clients';
import { emittingLeadRepository } from '../domain/destinations/emitting-leads';
import type { PendingEvent } from '../domain/destinations/pending-event';
import { DynamoInsightCounters } from './dynamo-insight-counters';
import { type BatchedCounters, batchedCounters, bestEffortCounters, coalescingCounters, type InsightCounters } from '../domain/insight/counters';

/** Increments added this close together in one container go out as one write per counter. */
import type { LeadRepository } from '../domain/core/ports';
import { SnsEventPublisher } from './sns-event-publisher';
import { createLogger } from './logger';
import { isDisposableDomain } from './disposable-domains';
import { DynamoLeadRepository } from './dynamo-lead-repository';
import { DynamoLeadEraser, DynamoPrivacyRequests } from './dynamo-privacy';
import { DynamoRunMark } from './dynamo-run-mark';
import { reviewDigestKey, scheduleRunKey } from './table-keys';
import { DynamoErasureNotices } from './dynamo-erasure-notices';
import { DynamoDeliveryLog } from './dynamo-delivery-log';
import { DynamoOutboxIndex } from './dynamo-outbox-index';
import { DynamoRateLimiter } from './dynamo-rate-limiter';
import { DynamoRotationStore } from './dynamo-rotation-store';
import { DynamoSubmissionStore } from './dynamo-submission-store';
import { DynamoSuppressionList } from './dynamo-suppression-list';
import { DynamoUnverifiedMailStats } from './dynamo-unverified-mail-stats';
import { loadBoundSecret } from './secrets';
import { createMailDomains } from './mail-domains';
import { createMailMetrics } from './metrics';
import { runtimeClock } from './runtime-clock';
import { SesMailer } from './ses-mailer';
import { SqsJsonQueue } from './sqs-queue';
import { TurnstileVerifier } from './turnstile-verifier';

/** Makes a value on first use and keeps it: once per container. */
function once<T>(make: () => T): () => T {
  let made = false;
  let value: T;
  return () => {
    if (!made) {
      value = make();
      made = true;
    }
    return value;
  };
}

/*
 * What functions are built from: one memoized factory per adapter, made on first use and kept for
 * the container, so a function builds, and needs the bindings of, only what it asks for (one
 * without the sendsEmail binding never makes a mailer), and its bundle holds only those (each
 * factory is pure until called, so the bundler drops the ones a function does not import).
 */
export const env = /* @__PURE__ */ once(() => functionEnv());
export const settings = /* @__PURE__ */ once(() => bundledSettings());
export const clock = runtimeClock;
const db = /* @__PURE__ */ once(createDocumentClient);
const table = () => env().tableName();

export const keyring = /* @__PURE__ */ once(async (): Promise<Keyring> => createKeyring(await loadBoundSecret(env(), 'hmac')));
/** The keyring with its receipt signer prepared at init, for the functions that sign receipts in their requests. */
export const signingKeyring = /* @__PURE__ */ once(async (): Promise<Keyring> => {
  const made = await keyring();
  made.receipts;
  return made;
});
/** Undefined with Turnstile off. */
export const humanVerifier = /* @__PURE__ */ once(async () => {
  const { turnstile } = settings().screening;
  return turnstile.enabled ? new TurnstileVerifier(await loadBoundSecret(env(), 'turnstile'), turnstile.verifyUrl) : undefined;
});
export const eventPublisher = /* @__PURE__ */ once(() => new SnsEventPublisher(createSnsClient(), env().topicArn('events')));
const publishLog = /* @__PURE__ */ once(() => createLogger());

/** The lead repository as stored, emitting nothing (the events sweep publishes what is stored). */
export const storedLeads = /* @__PURE__ */ once(() => new DynamoLeadRepository(db(), table()));
export const outboxIndex = /* @__PURE__ */ once(() => new DynamoOutboxIndex(db(), table()));
/**
 * Report counters, best effort (a failure is logged, without personal data, and the counted work
 * goes on). Queue consumers (the functions given a counter window) write a batch's counts together
 * when the batch ends (sqsBatchHandler's afterBatch flushes them); the other functions serve one
 * request at a time and write at once.
 */
export const counters = /* @__PURE__ */ once((): BatchedCounters => {
  const dynamo = new DynamoInsightCounters(db(), table());
  const logged = (inner: InsightCounters) =>
    bestEffortCounters(inner, (error, increments) => publishLog().warn('report counts not added', { error: (error as Error).name, increments }));
  const window = env().counterWindowMs;
  return window ? batchedCounters(logged(dynamo), window) : { ...logged(coalescingCounters(dynamo, 0)), flush: async () => undefined };
});
/**
 * The lead repository: every change it saves emits the destinations' events and adds the report
 * counts it makes (shared/domain/destinations/emitting-leads.ts), whichever function makes it.
 */
export const leads = /* @__PURE__ */ once((): LeadRepository => {
  const { destinations, insight } = settings();
  // With destinations the topic binding is checked at init; without, only an outbox left from
  // earlier destinations would be published (and fail to, until the topic is bound again).
  const publisher = Object.keys(destinations).length ? eventPublisher() : { publish: (events: readonly PendingEvent[]) => eventPublisher().publish(events) };
  return emittingLeadRepository(
    storedLeads(),
    destinations,
    publisher,
    (error, events) => publishLog().warn('destination events left to the outbox sweep', { error: (error as Error).name, events: events.length }),
    { insight, counters: counters() },
  );
});
export const submissions = /* @__PURE__ */ once(() => new DynamoSubmissionStore(db(), table()));
export const rotation = /* @__PURE__ */ once(() => new DynamoRotationStore(db(), table()));
export const suppressions = /* @__PURE__ */ once(() => new DynamoSuppressionList(db(), table()));
export const digestLog = /* @__PURE__ */ once(() => new DynamoRunMark(db(), table(), reviewDigestKey(), 'review_digest', 'sentAt'));
export const nurtureTickMark = /* @__PURE__ */ once(() => new DynamoRunMark(db(), table(), scheduleRunKey('nurtureTick'), 'schedule_run', 'coveredUntil'));
export const rateLimiter = /* @__PURE__ */ once(() => new DynamoRateLimiter(db(), table()));
export const mailStats = /* @__PURE__ */ once(() => new DynamoUnverifiedMailStats(db(), table()));
export const privacyRequests = /* @__PURE__ */ once(() => new DynamoPrivacyRequests(db(), table()));
export const eraser = /* @__PURE__ */ once(() => new DynamoLeadEraser(db(), table()));
export const erasureNotices = /* @__PURE__ */ once(() => new DynamoErasureNotices(db(), table()));
export const deliveryLog = /* @__PURE__ */ once(() => new DynamoDeliveryLog(db(), table()));
export const routingQueue = /* @__PURE__ */ once(() => new SqsJsonQueue<RoutingMessage>(createSqsClient(), env().queueUrl('routing')));
export const emailQueue = /* @__PURE__ */ once(() => new SqsJsonQueue<NurtureMessage>(createSqsClient(), env().queueUrl('email')));
export const mailer = /* @__PURE__ */ once(() => {
  const { fromName, fromAddress } = settings().sender;
  return new SesMailer(createSesClient(), `"${fromName.replace(/"/g, '')}" <${fromAddress}>`, env().sesConfigurationSet());
});
export const publicUrl = /* @__PURE__ */ once(() => env().publicApiUrl());
export const mailMetrics = /* @__PURE__ */ once(createMailMetrics);

/** The budgets, mail-domain check, breaker and metrics behind every mail a stranger can cause. */
export const strangerMail = /* @__PURE__ */ once(
  async (): Promise<StrangerMailDeps & { settings: LeadgateSettings }> => ({
    settings: settings(),
    keyring: await keyring(),
    mailer: mailer(),
    rateLimiter: rateLimiter(),
    mailDomains: createMailDomains(env()),
    mailStats: mailStats(),
    onRefused: mailMetrics().refused,
  }),
);

/** Everything routing and assignment use: the routing consumer, the SLA sweep. */
export const routeDeps = /* @__PURE__ */ once(
  async (): Promise<RouteDeps> => ({
    ...(await strangerMail()),
    leads: leads(),
    counters: counters(),
    submissions: submissions(),
    rotation: rotation(),
    emails: assignmentEmails(settings()),
    personEmails: personEmails(settings(), publicUrl()),
    suppressions: suppressions(),
    clock: runtimeClock,
    publicUrl: publicUrl(),
    scoreLead: compileScoring(settings().scoring),
    chooseTeam: compileRouting(settings().routing),
    isDisposableDomain,
    onNurtureDeferred: mailMetrics().nurtureDeferred,
  }),
);

/** A person's own choices (unsubscribe, confirm, suppression on bounce): nothing is mailed. */
export const consentDeps = /* @__PURE__ */ once(async () => ({
  settings: settings(),
  leads: leads(),
  suppressions: suppressions(),
  keyring: await keyring(),
  clock: runtimeClock,
}));

/** The confirm function's: it also queues the welcome of a confirmed subscription. */
export const confirmDeps = /* @__PURE__ */ once(async () => ({ ...(await consentDeps()), emailQueue: emailQueue() }));
