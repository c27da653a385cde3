import { SECRET_VARIABLES } from '../shared/config/function-env';
import { runtimeClock } from '../shared/adapters/runtime-clock';
import { DynamoInsightCounters } from '../shared/adapters/dynamo-insight-counters';
import type { CounterRow } from '../shared/domain/insight/counters';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { redrive } from '../cli/dlq';
import { configVariant, manyPeopleOneClient } from '../infra/local/config-variant';
import { getFrom, postJsonFrom } from '../infra/local/post-from';
import { readableItem } from '../shared/adapters/lead-item';
import { startLocalRuntime, type LocalRuntime } from '../infra/local/runtime';
import { queueNames } from '../infra/topology';
import { createKeyring } from '../shared/domain/core/keyring';
import type { Lead } from '../shared/domain/core/lead';
import type { PipelineUsage } from './cost-model';

export interface SoakOptions {
  count: number;
  concurrency: number;
  /**
   * Inject the faults (default true): SES throttles 20 % of sends, the routing consumer fails 5 % of
   * records, every batch is delivered twice, 5 % of routing-queue sends fail after capture's write
   * (and one client in ten never retries anything), and SQS and SNS are unreachable for 2 s when half the
   * submissions are accepted. Without them the run measures a clean pipeline (the bench's cost figure).
   */
  faults?: boolean;
  /** Without faults: one webhook destination receiving creations, assignments, acceptances and consents (the bench's cost with one destination). */
  webhook?: boolean;
  /** Each client waits this long after its submission before the next (default 0): with concurrency 1, leads arrive one at a time, as on a quiet site. */
  gapMs?: number;
  log?: (line: string) => void;
}

/** What two destinations received: `flaky` fails 20 % of requests with 503 and leaves 5 % unanswered; `down` is down for a simulated hour. */
export interface DestinationReport {
  /** Events owed (a creation to each, an assignment to flaky, per lead with sales consent). */
  expected: number;
  delivered: number;
  lost: number;
  /** The same event accepted twice under one webhook-id (a retry whose first answer was lost): receivers de-duplicate these. */
  redeliveredSameId: number;
  /** The same event under two ids: must never happen. */
  duplicatedNewId: number;
  badSignatures: number;
  requests: number;
  retriesPerEvent: number;
  latencyMs: { p50: number; p95: number; p99: number };
}

export interface SoakReport {
  submitted: number;
  accepted: number;
  storedLeads: number;
  lost: number;
  salesLeads: number;
  assignedOnce: number;
  duplicateAssignments: number;
  missingAssignments: number;
  misrouted: number;
  assignmentEmails: { exactlyOne: number; duplicated: number; missing: number };
  nurture: { expected: number; sentOnce: number; duplicated: number; missing: number };
  deadLettersRedriven: number;
  /** The queues whose dead-letter queue still held messages at the end, with how many (none: an empty object). */
  deadLettersByQueue: Record<string, number>;
  latencyMs: { p50: number; p95: number; p99: number };
  submitRetries: number;
  /** Routing-queue sends that failed on purpose (capture's after its write, and the sweep's). */
  refusedRoutingSends: number;
  /** Submissions whose client never retries: each one had to be accepted at the first attempt. */
  neverRetried: number;
  usage: PipelineUsage;
  /** What the report counters say of the same run (funnel routed and assigned, first assignment emails). */
  counted: { routed: number; assigned: number; emailed: number };
  /** With faults: the destinations' delivery figures. */
  destinations?: DestinationReport;
  seconds: number;
}

/** One simulated hour of the local runtime's destination retry delays lasts 6 s. */
const RETRY_SCALE = 1 / 600;
/**
 * The 24-hour retry window shrinks ten times less, to 24 minutes: longer than any run, and longer
 * than the destination queues' 180 s visibility timeout, which no scale shrinks (a batch whose
 * invocation failed waits it out). At 1/600 the window was 144 s, shorter than that one wait, so
 * on a busy machine events that AWS, with its real day, would have delivered were dead-lettered.
 */
const RETRY_WINDOW_SCALE = 1 / 60;

/** Two webhook destinations for the faults run; for the clean run none, or one (the bench's cost with one webhook destination). */
function soakDestinations(document: Record<string, any>, withFaults: boolean, oneWebhook: boolean): void {
  const webhook = (events: string[], maxConcurrency: number) => ({
    type: 'webhook',
    url: 'https://hooks.example.com/leadgate',
    purposes: ['sales_contact'],
    thirdParty: false,
    events,
    maxConcurrency,
  });
  document.destinations = withFaults
    ? { flaky: webhook(['lead.created', 'lead.assigned'], 10), down: webhook(['lead.created'], 10) }
    : oneWebhook
      ? { hooks: webhook(['lead.created', 'lead.assigned', 'lead.accepted', 'consent.granted'], 10) }
      : {};
}

interface StoredMail {
  destination: { to: string[] };
  subject: string;
  body: { text?: string };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
/** Lead i's client address on loopback (127.1.0.1, 127.1.0.2, ...). */
const clientAddress = (i: number) => `127.1.${Math.floor(i / 250) % 250}.${(i % 250) + 1}`;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A deterministic mix of forms, consents and countries. */
export function submission(i: number) {
  const form = i % 5 === 4 ? 'newsletter' : 'contact';
  const sales = form === 'contact' && i % 5 < 3;
  const marketing = i % 2 === 0 || form === 'newsletter';
  const countries = ['DE', 'FR', 'GB', 'US', 'CA', 'BR', 'JP', 'IN'];
  return {
    form,
    sales,
    marketing,
    body: {
      email: `soak${i}@engines.example`,
      ...(form === 'contact' ? { firstName: `Lead${i}`, company: `Company ${i % 97}`, country: countries[i % countries.length] } : {}),
      consent: [...(sales ? ['sales_contact'] : []), ...(marketing ? ['marketing_email'] : [])],
    },
  };
}

async function queueDepth(runtime: LocalRuntime, url: string): Promise<number> {
  const { Attributes } = await runtime.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
}

export async function drained(runtime: LocalRuntime, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let quietSince = 0;
  while (Date.now() < deadline) {
    const urls = [...queueNames.map((name) => runtime.queues[name].url), ...Object.values(runtime.destinationQueues).map((queue) => queue.url)];
    const depth = (await Promise.all(urls.map((url) => queueDepth(runtime, url)))).reduce((a, b) => a + b, 0);
    if (depth === 0) {
      quietSince ||= Date.now();
      if (Date.now() - quietSince > 1500) return;
    } else quietSince = 0;
    await pause(250);
  }
}

async function scanLeads(runtime: LocalRuntime): Promise<Lead[]> {
  const { ScanCommand } = await import('@aws-sdk/lib-dynamodb');
  const leads: Lead[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await runtime.db.send(
      new ScanCommand({
        TableName: runtime.tableName,
        FilterExpression: 'itemType = :lead',
        ExpressionAttributeValues: { ':lead': 'lead' },
        ExclusiveStartKey: start,
      }),
    );
    leads.push(...((page.Items ?? []).map(readableItem) as unknown as Lead[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return leads;
}

/**
 * Submits `count` leads at `concurrency` to a local runtime while faults are injected (SES throttles
 * 20 % of sends, the routing consumer fails 5 % of records, every batch is delivered twice, and
 * SQS and SNS are unreachable for 2 s mid-run), then checks that nothing was lost, duplicated or misrouted.
 */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  const withFaults = options.faults ?? true;
  const configFile = configVariant((c) => {
    manyPeopleOneClient(c, 1000);
    // Each client asks for its render token and posts at once: no person fills the form in between.
    c.screening.minSecondsToSubmit = 0;
    soakDestinations(c, withFaults, options.webhook ?? false);
  });
  const runtime = await startLocalRuntime({
    ports: { api: 0, dynamodb: 0, sqs: 0, ses: 0, destinations: 0 },
    configFile,
    faults: withFaults
      ? {
          sesThrottleRate: 0.2,
          consumerFailureRate: 0.05,
          duplicateDelivery: true,
          visibilityTimeoutSeconds: 3,
          routingSendFailureRate: 0.05,
          countRequests: true,
        }
      : { countRequests: true },
    retryScale: RETRY_SCALE,
    retryWindowScale: RETRY_WINDOW_SCALE,
    destinationTimeoutMs: 300,
    destinationRequestsKept: 200_000,
    log: () => undefined,
  });
  try {
    if (withFaults) {
      runtime.destinations.setOutage('flaky', { failRate: 0.2, timeoutRate: 0.05, status: 503 });
      runtime.destinations.setOutage('down', { until: Date.now() + 3_600_000 * RETRY_SCALE, status: 503 });
    }
    const version = runtime.config.purposes.marketing_email!.consentText.version;
    const submittedAt = new Map<string, number>();
    let accepted = 0;
    let retries = 0;
    let neverRetried = 0;
    let next = 0;
    let restarted = !withFaults;

    const submitOne = async (i: number) => {
      const { form, body } = submission(i);
      // The render token as the embed asks for it, when the form comes into view: a form view per lead, measured.
      // Both go where an embed sends them: capture's function URL (the API with edge.captureFunctionUrl off).
      const view = await getFrom(new URL(`/forms/${form}/render-token`, runtime.urls.capture), clientAddress(i));
      if (view.status !== 200) throw new Error(`submission ${i}: its render token answered ${view.status}`);
      const payload = { ...body, consentVersion: version, renderedAt: (JSON.parse(view.text) as { renderedAt: string }).renderedAt };
      const t0 = Date.now();
      // One client in ten tries once: a 202 must mean the lead is processed whatever fails after.
      const patient = !withFaults || i % 10 !== 9;
      if (!patient) neverRetried++;
      for (let attempt = 0; attempt < (patient ? 200 : 1); attempt++) {
        try {
          // Each lead from a client address of its own, as leads come from many people; a retry says
          // it follows a failure, as the embed script's do.
          const path = `/forms/${form}/submissions${attempt > 0 ? '?retry=failure' : ''}`;
          const response = await postJsonFrom(new URL(path, runtime.urls.capture), clientAddress(i), payload, {
            'idempotency-key': `soak-${i}`,
          });
          if (response.status === 202) {
            accepted++;
            submittedAt.set(body.email, t0);
            return;
          }
          if (response.status !== 503) throw new Error(`submission ${i} answered ${response.status}`);
        } catch (error) {
          if ((error as Error).message.startsWith('submission')) throw error;
        }
        retries++;
        await pause(Math.min(1000, 50 * 2 ** Math.min(attempt, 5)));
      }
      throw new Error(patient ? `submission ${i} never accepted` : `submission ${i} was not accepted at its only attempt`);
    };

    const worker = async () => {
      for (;;) {
        const i = next++;
        if (i >= options.count) return;
        await submitOne(i);
        if (options.gapMs) await pause(options.gapMs);
        if (!restarted && accepted >= options.count / 2) {
          restarted = true;
          log('SQS and SNS unreachable for 2 s mid-run');
          await runtime.interruptSqs(2000);
          log('SQS back');
        }
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
    log(`${accepted} accepted; waiting for the pipeline to settle`);

    // Let the pipeline finish, then move time on so the sweeps re-send what the SQS restart lost.
    await drained(runtime, 120_000);
    const firstAdvanceAt = Date.now();
    for (const by of [3 * 60_000, 16 * 60_000]) {
      await runtime.advanceClock(by);
      await drained(runtime, 120_000);
    }
    let redriven = 0;
    for (const name of queueNames) redriven += await redrive(runtime.sqs, runtime.queues[name].deadLetterUrl, runtime.queues[name].url);
    await drained(runtime, 60_000);
    // Sweeps work in bounded batches: wait until the data says everything is done, or give up.
    const done = (lead: Lead | undefined, i: number) => {
      const { form, sales, marketing } = submission(i);
      if (!lead) return false;
      if (lead.submissions.some((s) => !(lead.routedSubmissions ?? []).includes(s.submissionId))) return false;
      if (sales && !lead.assignment?.notifiedAt) return false;
      return !(form === 'contact' && marketing && !lead.nurture?.sent.length);
    };
    for (const deadline = Date.now() + 300_000; Date.now() < deadline; ) {
      const current = new Map((await scanLeads(runtime)).map((lead) => [lead.email, lead]));
      const pending = Array.from({ length: options.count }, (_, i) => i).filter((i) => !done(current.get(submission(i).body.email), i));
      if (pending.length === 0) break;
      const why = (i: number) => {
        const lead = current.get(submission(i).body.email);
        if (!lead) return 'not stored';
        if (lead.submissions.some((s) => !(lead.routedSubmissions ?? []).includes(s.submissionId))) return 'not routed';
        if (submission(i).sales && !lead.assignment?.notifiedAt) return 'rep not emailed';
        return 'nurture not sent';
      };
      const reasons = new Map<string, number>();
      for (const i of pending) reasons.set(why(i), (reasons.get(why(i)) ?? 0) + 1);
      log(`${pending.length} lead(s) still in flight: ${[...reasons].map(([reason, n]) => `${n} ${reason}`).join(', ')}`);
      await runtime.runSchedules().catch(() => undefined);
      await drained(runtime, 60_000);
    }
    const destinations = withFaults ? await destinationFigures(runtime, options.count, log, firstAdvanceAt) : undefined;
    const deadLetterQueues: [string, string][] = [
      ...queueNames.map((name): [string, string] => [name, runtime.queues[name].deadLetterUrl]),
      ...Object.entries(runtime.destinationQueues).map(([name, queue]): [string, string] => [`destination ${name}`, queue.deadLetterUrl]),
    ];
    const deadLettersByQueue = Object.fromEntries(
      (await Promise.all(deadLetterQueues.map(async ([name, url]) => [name, await queueDepth(runtime, url)] as const))).filter(([, depth]) => depth > 0),
    );

    const leads = new Map((await scanLeads(runtime)).map((lead) => [lead.email, lead]));
    const { emails } = (await (await fetch(`${runtime.urls.ses}/store`)).json()) as { emails: StoredMail[] };
    const assignmentMails = new Map<string, number>();
    const welcomeMails = new Map<string, number>();
    // The first welcome step, recognized by its configured subject (its placeholders match anything).
    const welcomeTemplate = runtime.config.nurture.sequences.welcome!.steps[0]!.subject;
    const welcomeSubject = new RegExp(
      `^${welcomeTemplate
        .split(/\{\{[^}]*\}\}/)
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    );
    for (const mail of emails) {
      const to = mail.destination.to[0] ?? '';
      if (mail.subject.startsWith('New lead:')) {
        const lead = /soak\d+@engines\.example/.exec(mail.body.text ?? '')?.[0];
        if (lead) assignmentMails.set(lead, (assignmentMails.get(lead) ?? 0) + 1);
      } else if (welcomeSubject.test(mail.subject)) {
        welcomeMails.set(to, (welcomeMails.get(to) ?? 0) + 1);
      }
    }

    const report: SoakReport = {
      submitted: options.count,
      accepted,
      storedLeads: 0,
      lost: 0,
      salesLeads: 0,
      assignedOnce: 0,
      duplicateAssignments: 0,
      missingAssignments: 0,
      misrouted: 0,
      assignmentEmails: { exactlyOne: 0, duplicated: 0, missing: 0 },
      nurture: { expected: 0, sentOnce: 0, duplicated: 0, missing: 0 },
      deadLettersRedriven: redriven,
      deadLettersByQueue,
      latencyMs: { p50: NaN, p95: NaN, p99: NaN },
      submitRetries: retries,
      refusedRoutingSends: runtime.refusedRoutingSends(),
      neverRetried,
      usage: {
        leads: 0,
        meter: { requests: {}, readUnits: 0, writeUnits: 0, writeUnitsByItem: {}, indexWriteUnits: 0, indexWriteUnitsByIndex: {}, emptyReceives: 0 },
        invocations: {},
        timings: {},
        captureOnFunctionUrl: runtime.config.edge.captureFunctionUrl,
      },
      counted: await countedByReports(runtime),
      seconds: 0,
    };
    const latencies: number[] = [];
    for (let i = 0; i < options.count; i++) {
      const { form, sales, marketing, body } = submission(i);
      const lead = leads.get(body.email);
      if (!lead) {
        report.lost++;
        continue;
      }
      report.storedLeads++;
      const assignments = lead.assignmentHistory?.length ?? 0;
      const mails = assignmentMails.get(body.email) ?? 0;
      if (sales) {
        report.salesLeads++;
        if (assignments === 1) report.assignedOnce++;
        else if (assignments > 1) report.duplicateAssignments++;
        else report.missingAssignments++;
        if (mails === 1) report.assignmentEmails.exactlyOne++;
        else if (mails > 1) report.assignmentEmails.duplicated++;
        else report.assignmentEmails.missing++;
        const notified = lead.assignment?.notifiedAt ? Date.parse(lead.assignment.notifiedAt) : NaN;
        if (notified < firstAdvanceAt) latencies.push(notified - (submittedAt.get(body.email) ?? notified));
      } else if (assignments > 0 || mails > 0) {
        report.misrouted++;
      }
      const welcome = welcomeMails.get(body.email) ?? 0;
      if (form === 'contact' && marketing) {
        report.nurture.expected++;
        if (welcome === 1) report.nurture.sentOnce++;
        else if (welcome > 1) report.nurture.duplicated++;
        else report.nurture.missing++;
      } else if (welcome > 1) {
        report.nurture.duplicated++;
      }
    }
    latencies.sort((a, b) => a - b);
    report.latencyMs = { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99) };
    report.usage = {
      leads: accepted,
      meter: runtime.meterReadings(),
      invocations: runtime.invocations(),
      timings: runtime.invocationTimings(),
      captureOnFunctionUrl: runtime.config.edge.captureFunctionUrl,
    };
    if (destinations) report.destinations = destinations;
    report.seconds = (performance.now() - started) / 1000;
    return report;
  } finally {
    await runtime.stop();
  }
}

/** The report counters' totals over the run (every day the moved clock reached). */
async function countedByReports(runtime: LocalRuntime): Promise<SoakReport['counted']> {
  const counters = new DynamoInsightCounters(runtime.db, runtime.tableName, () => runtimeClock.now());
  const today = runtimeClock.now();
  const from = new Date(today.getTime() - 7 * 86_400_000).toISOString().slice(0, 10);
  const to = today.toISOString().slice(0, 10);
  const sum = (rows: CounterRow[], match: (field: string) => boolean) =>
    rows.reduce((n, row) => n + Object.entries(row.counts).reduce((m, [field, count]) => m + (match(field) ? count : 0), 0), 0);
  const funnel = await counters.read('funnel', from, to);
  const speed = await counters.read('speed', from, to);
  return { routed: sum(funnel, (f) => f === 'routed'), assigned: sum(funnel, (f) => f === 'assigned'), emailed: sum(speed, (f) => f.startsWith('to_email_')) };
}

/**
 * Waits (up to 3 minutes) until both destinations hold every event owed to them, then counts what
 * they received: each event found by its lead's reference for that destination and its type.
 * Latency is from the event to its first accepted delivery, for events before the clock moved.
 */
async function destinationFigures(runtime: LocalRuntime, count: number, log: (line: string) => void, clockMovedAt: number): Promise<DestinationReport> {
  const keyring = createKeyring(process.env[SECRET_VARIABLES.hmac.value] as string);
  const owed: { destination: string; ref: string; type: string }[] = [];
  for (let i = 0; i < count; i++) {
    const { sales, body } = submission(i);
    if (!sales) continue;
    const leadId = keyring.emailHash(body.email);
    for (const [destination, types] of [['flaky', ['lead.created', 'lead.assigned']] as const, ['down', ['lead.created']] as const]) {
      for (const type of types) owed.push({ destination, ref: keyring.leadRef(destination, leadId), type });
    }
  }
  type Seen = { ids: Map<string, number>; firstAt: number; occurredAt: number };
  const tally = () => {
    const accepted = new Map<string, Seen>();
    let badSignatures = 0;
    const all = runtime.destinations.received();
    for (const request of all) {
      if (request.status < 200 || request.status >= 300) {
        if (request.verified === false) badSignatures++;
        continue;
      }
      const event = JSON.parse(request.body) as { id: string; type: string; leadRef: string; occurredAt: string };
      const key = `${request.destination} ${event.leadRef} ${event.type}`;
      const seen = accepted.get(key) ?? { ids: new Map<string, number>(), firstAt: Date.parse(request.at), occurredAt: Date.parse(event.occurredAt) };
      seen.ids.set(event.id, (seen.ids.get(event.id) ?? 0) + 1);
      accepted.set(key, seen);
    }
    return { accepted, badSignatures, requests: all.length };
  };
  for (const deadline = Date.now() + 180_000; Date.now() < deadline; ) {
    const { accepted } = tally();
    const missing = owed.filter((o) => !accepted.has(`${o.destination} ${o.ref} ${o.type}`)).length;
    if (missing === 0) break;
    log(`${missing} destination event(s) not delivered yet`);
    await runtime.runSchedules().catch(() => undefined);
    await pause(2000);
  }
  const { accepted, badSignatures, requests } = tally();
  const latencies: number[] = [];
  let delivered = 0;
  let redeliveredSameId = 0;
  let duplicatedNewId = 0;
  for (const o of owed) {
    const seen = accepted.get(`${o.destination} ${o.ref} ${o.type}`);
    if (!seen) continue;
    delivered++;
    // Latency in real time: only events that happened before the soak moved the local clock.
    if (seen.occurredAt < clockMovedAt) latencies.push(seen.firstAt - seen.occurredAt);
    if (seen.ids.size > 1) duplicatedNewId++;
    for (const times of seen.ids.values()) redeliveredSameId += times - 1;
  }
  latencies.sort((a, b) => a - b);
  return {
    expected: owed.length,
    delivered,
    lost: owed.length - delivered,
    redeliveredSameId,
    duplicatedNewId,
    badSignatures,
    requests,
    retriesPerEvent: delivered ? (requests - delivered) / delivered : NaN,
    latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99) },
  };
}
