import type { MeterReadings } from '../infra/local/request-meter';
import type { InvocationTiming } from '../infra/local/worker-messages';
import { scheduleNames, topology, type FunctionName } from '../infra/topology';

/**
 * Dollars per million leads from what a pipeline run measured. List prices, us-east-1, November
 * 2026 as we know them; check the pricing pages before relying on a figure.
 */
export const PRICES = {
  /** HTTP API, per million requests (first 300 million a month). */
  httpApiPerMillion: 1.0,
  /** Lambda arm64: per million requests, and per GB-second. */
  lambdaPerMillion: 0.2,
  lambdaArmPerGbSecond: 0.0000133334,
  /** DynamoDB on demand: per million write and read request units. */
  dynamoWritePerMillion: 0.625,
  dynamoReadPerMillion: 0.125,
  /** SQS standard, per million requests (64 KB chunks). */
  sqsPerMillion: 0.4,
  /** SNS FIFO topic, per million publish requests (payload under 64 KB); its deliveries to SQS add $0.01 per million, left out. */
  snsFifoPublishPerMillion: 0.3,
  /** SES, per thousand messages. */
  sesPerThousand: 0.1,
  /** KMS, per ten thousand requests. */
  kmsPerTenThousand: 0.03,
};

/** What the run cannot show, stated rather than hidden. */
export const ASSUMPTIONS = {
  /**
   * Lambda gives a function CPU in proportion to its memory, a whole vCPU at 1,769 MB; one vCPU
   * there is taken to do what one core of the machine that ran the benchmark does.
   */
  lambdaFullVcpuMb: 1769,
  /**
   * What a function waits for one round trip to each service, in the region (ms): DynamoDB in
   * single-digit milliseconds, the queue and topic services a little slower, SES slower still.
   */
  awsRoundTripMs: { dynamodb: 5, sqs: 10, sns: 10, ses: 50 } as Record<string, number>,
  /** Billed duration per invocation (ms) of a function the run timed none of. */
  lambdaMsPerInvocation: 60,
  /** DynamoDB caches its data key for minutes, so KMS sees a handful of requests per lead at most. */
  kmsRequestsPerLead: 0.01,
};

export interface PipelineUsage {
  leads: number;
  meter: MeterReadings;
  invocations: Partial<Record<FunctionName, number>>;
  /** How each invocation ran in the local runtime: its CPU time and the AWS requests it waited on. */
  timings: Partial<Record<FunctionName, InvocationTiming[]>>;
  /**
   * Whether the run's configuration gives capture a function URL (edge.captureFunctionUrl), where
   * embedded forms fetch their render token and post: the local runtime serves every request the
   * same way, so the edge is priced from the configuration.
   */
  captureOnFunctionUrl: boolean;
}

const SCHEDULED = new Set<FunctionName>(scheduleNames.map((name) => topology.schedules[name].function));
const HTTP = new Set<FunctionName>(topology.routes.map((route) => route.function));

/**
 * How long an invocation waited on AWS in the region: the longest chain of its requests, each
 * request taking its service's round trip after the slowest chain that had ended when it left
 * (requests sent together wait once, requests sent one after another each in turn). With every
 * round trip 1, the number of round trips on that chain.
 */
export function awsWaitMs(aws: InvocationTiming['aws'], roundTripMs = (service: string) => ASSUMPTIONS.awsRoundTripMs[service] ?? 10): number {
  const ends: number[] = [];
  let answered = 0;
  for (const event of aws) {
    if (typeof event === 'string') ends.push(answered + roundTripMs(event));
    else answered = Math.max(answered, ends[event] ?? 0);
  }
  return Math.max(answered, ...ends);
}

/**
 * What Lambda would bill for an invocation timed locally, rounded up to the millisecond as Lambda
 * rounds: its wait on AWS in the region (awsWaitMs), and its CPU time stretched by the share of a
 * vCPU its memory buys (one thread: the CPU of records handled in parallel adds up). Not its local
 * wall time: that holds the loopback emulators' own work and other threads' turns on two cores.
 */
export function billedMs(timing: InvocationTiming, memoryMb: number): number {
  const cpuSlowdown = Math.max(1, ASSUMPTIONS.lambdaFullVcpuMb / memoryMb);
  return Math.max(1, Math.ceil(awsWaitMs(timing.aws) + timing.cpuMs * cpuSlowdown));
}

/** Mean billed ms of some invocations of a function, or the stated figure if the run timed none. */
function meanBilled(timings: readonly InvocationTiming[], memoryMb: number): { ms: number; measured: boolean } {
  if (!timings.length) return { ms: ASSUMPTIONS.lambdaMsPerInvocation, measured: false };
  return { ms: timings.reduce((sum, timing) => sum + billedMs(timing, memoryMb), 0) / timings.length, measured: true };
}

/** Mean billed ms per invocation of a function in the run, or the stated figure if the run timed none. */
export const meanBilledMs = (usage: PipelineUsage, name: FunctionName) => meanBilled(usage.timings[name] ?? [], topology.functions[name].memoryMb);

/** Capture's invocations that were form views: a render token asks AWS nothing, a post always writes. */
const isFormView = (timing: InvocationTiming) => timing.aws.length === 0;

const gbSecondsOf = (name: FunctionName, ms: number) => (topology.functions[name].memoryMb / 1024) * (ms / 1000);

/** Mean billed ms of a form view (capture's render token), or the stated figure if the run timed none. */
export const formViewBilledMs = (usage: PipelineUsage): number =>
  meanBilled((usage.timings.capture ?? []).filter(isFormView), topology.functions.capture.memoryMb).ms;

/** Per-lead figures priced per million leads; scheduled sweeps are a fixed monthly cost, left out. */
export function costPerMillionLeads(usage: PipelineUsage) {
  const perLead = (n: number) => n / Math.max(1, usage.leads);
  const a = ASSUMPTIONS;
  let sqs = 0;
  let sns = 0;
  let ses = 0;
  for (const [key, count] of Object.entries(usage.meter.requests)) {
    if (key.startsWith('sqs:')) sqs += count;
    if (key.startsWith('sns:')) sns += count;
    if (key === 'ses:SendEmail') ses += count;
  }
  // A poller's receives that found nothing are asked whether leads come or not: a fixed cost.
  sqs -= usage.meter.emptyReceives;
  let invocations = 0;
  let gbSeconds = 0;
  let httpRequests = 0;
  let edgeRequests = 0;
  for (const [name, count] of Object.entries(usage.invocations) as [FunctionName, number][]) {
    if (SCHEDULED.has(name)) continue;
    invocations += perLead(count);
    gbSeconds += perLead(count) * gbSecondsOf(name, meanBilledMs(usage, name).ms);
    if (HTTP.has(name)) httpRequests += perLead(count);
    // An embedded form's render token and post (capture's), which capture's function URL takes off the API; hosted pages stay on it.
    if (name === 'capture') edgeRequests += perLead(count);
  }
  const writeUnits = perLead(usage.meter.writeUnits + usage.meter.indexWriteUnits);
  const items = {
    'API Gateway HTTP API': (httpRequests - (usage.captureOnFunctionUrl ? edgeRequests : 0)) * PRICES.httpApiPerMillion,
    'Lambda requests': invocations * PRICES.lambdaPerMillion,
    'Lambda compute (arm64 GB-s)': gbSeconds * PRICES.lambdaArmPerGbSecond * 1e6,
    'DynamoDB writes': writeUnits * PRICES.dynamoWritePerMillion,
    'DynamoDB reads': perLead(usage.meter.readUnits) * PRICES.dynamoReadPerMillion,
    // Destination queues are FIFO ($0.50 per million): priced here at the standard rate, 20 % under.
    'SQS requests': perLead(sqs) * PRICES.sqsPerMillion,
    'SNS FIFO publishes': perLead(sns) * PRICES.snsFifoPublishPerMillion,
    KMS: a.kmsRequestsPerLead * PRICES.kmsPerTenThousand * 100,
  };
  const beforeSes = Object.values(items).reduce((sum, v) => sum + v, 0);
  // A form view writes nothing (the render token is signed, not stored): an invocation, and the API's charge when it goes through the API.
  const viewOnFunctionUrl = PRICES.lambdaPerMillion + gbSecondsOf('capture', formViewBilledMs(usage)) * PRICES.lambdaArmPerGbSecond * 1e6;
  const edgeCharge = edgeRequests * PRICES.httpApiPerMillion;
  return {
    items,
    beforeSes,
    /**
     * Dollars per million form views that never become a lead (the hosted page, or the embed's
     * render token once the form is in view): real sites have many per lead, which the per-lead
     * figure (the run's one view per lead) leaves out.
     */
    perMillionFormViews: viewOnFunctionUrl + (usage.captureOnFunctionUrl ? 0 : PRICES.httpApiPerMillion),
    /** The same run on the other edge: embedded forms through the API (function URL on), or on capture's URL (off). */
    otherEdge: {
      beforeSes: usage.captureOnFunctionUrl ? beforeSes + edgeCharge : beforeSes - edgeCharge,
      perMillionFormViews: viewOnFunctionUrl + (usage.captureOnFunctionUrl ? PRICES.httpApiPerMillion : 0),
    },
    ses: perLead(ses) * PRICES.sesPerThousand * 1000,
    writeUnitsPerLead: writeUnits,
    readUnitsPerLead: perLead(usage.meter.readUnits),
  };
}

export const COST_TARGET_BEFORE_SES = 8;

/** Items that exist only to bound what strangers can cause: client counters (render-token uses among them), mail stats. */
export const ABUSE_DEFENCE_ITEMS = ['RATE', 'MAILSTATS'] as const;

/** The writes of the abuse defences, per lead and per million leads. */
export function abuseDefenceCost(usage: PipelineUsage): { writeUnitsPerLead: number; dollars: number } {
  const units = ABUSE_DEFENCE_ITEMS.reduce((sum, kind) => sum + (usage.meter.writeUnitsByItem[kind] ?? 0), 0);
  const writeUnitsPerLead = units / Math.max(1, usage.leads);
  return { writeUnitsPerLead, dollars: writeUnitsPerLead * PRICES.dynamoWritePerMillion };
}

/** What the report counters (issue 13) cost: their write units per lead, in dollars per million leads. */
export function reportCounterCost(usage: PipelineUsage): { writeUnitsPerLead: number; dollars: number } {
  const writeUnitsPerLead = (usage.meter.writeUnitsByItem.INSIGHT ?? 0) / Math.max(1, usage.leads);
  return { writeUnitsPerLead, dollars: writeUnitsPerLead * PRICES.dynamoWritePerMillion };
}

/**
 * Write units per lead before capture became one durable write (issue 11), from a clean 500-lead
 * run of the same benchmark on the same machine (2026-11-30), printed beside each run's figures.
 */
export const WRITE_UNITS_BEFORE_ISSUE_11 = {
  table: 17.67,
  byItem: { LEAD: 4.99, ROTATION: 3.82, RATE: 2.04, CLAIM: 2.0, SUB: 2.0, EVENT: 1.8, RENDER: 1.0, MAILSTATS: 0.02 } as Record<string, number>,
  indexes: 5.8,
  readUnits: 8.86,
  dollarsBeforeSes: 20.47,
};

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

/**
 * The printed cost table: what was measured per lead, then dollars per million leads; beside each,
 * with `beside: 'before issue 11'`, the figure of the run it is comparable to (leads ten at a time).
 */
export function costReport(usage: PipelineUsage, { beside }: { beside?: 'before issue 11' } = {}): string[] {
  const perLead = (n: number) => (n / Math.max(1, usage.leads)).toFixed(2).padStart(10);
  const before = WRITE_UNITS_BEFORE_ISSUE_11;
  const was = (n: number | undefined) => (beside ? `${(n ?? 0).toFixed(2).padStart(10)}` : '');
  const lines = ['Measured per lead (SDK request meter in the local runtime):'];
  for (const [operation, count] of Object.entries(usage.meter.requests).sort()) {
    const empty = operation === 'sqs:ReceiveMessage' ? usage.meter.emptyReceives : 0;
    lines.push(`  ${operation.padEnd(44)} ${perLead(count - empty)}`);
    if (empty) lines.push(`  ${'sqs:ReceiveMessage, empty (fixed cost)'.padEnd(44)} ${perLead(empty)}`);
  }
  if (beside) lines.push(`  ${''.padEnd(44)} ${'now'.padStart(10)} ${'before #11'.padStart(10)}`);
  lines.push(`  ${'DynamoDB write units (table)'.padEnd(44)} ${perLead(usage.meter.writeUnits)} ${was(before.table)}`);
  const kinds = [...new Set([...Object.keys(usage.meter.writeUnitsByItem), ...(beside ? Object.keys(before.byItem) : [])])];
  const unitsOf = (kind: string) => usage.meter.writeUnitsByItem[kind] ?? 0;
  for (const kind of kinds.sort((a, b) => unitsOf(b) - unitsOf(a) || (before.byItem[b] ?? 0) - (before.byItem[a] ?? 0))) {
    lines.push(`  ${`  to ${kind} items`.padEnd(44)} ${perLead(unitsOf(kind))} ${was(before.byItem[kind])}`);
  }
  lines.push(`  ${'DynamoDB write units (sparse indexes)'.padEnd(44)} ${perLead(usage.meter.indexWriteUnits)} ${was(before.indexes)}`);
  for (const [name, units] of Object.entries(usage.meter.indexWriteUnitsByIndex).sort(([, a], [, b]) => b - a)) {
    lines.push(`  ${`  ${name}`.padEnd(44)} ${perLead(units)}`);
  }
  lines.push(`  ${'DynamoDB read units'.padEnd(44)} ${perLead(usage.meter.readUnits)} ${was(before.readUnits)}`);
  for (const [name, count] of Object.entries(usage.invocations).sort()) {
    lines.push(`  ${`invocations: ${name}${SCHEDULED.has(name as FunctionName) ? ' (scheduled; fixed cost)' : ''}`.padEnd(44)} ${perLead(count)}`);
  }
  const rt = Object.entries(ASSUMPTIONS.awsRoundTripMs).map(([service, ms]) => `${service} ${ms} ms`);
  lines.push(
    `  billed duration per invocation: its longest chain of AWS round trips (${rt.join(', ')}) and CPU time × ${ASSUMPTIONS.lambdaFullVcpuMb} MB / memory:`,
    `  ${'  function, memory'.padEnd(34)} ${'local wall'.padStart(10)} ${'CPU'.padStart(7)} ${'requests'.padStart(8)} ${'AWS wait'.padStart(8)} ${'billed'.padStart(8)}   (p50 but billed: mean, ms)`,
  );
  const row = (label: string, memoryMb: number, timings: InvocationTiming[], billed: { ms: number; measured: boolean }) => {
    const p50 = (pick: (t: InvocationTiming) => number, width: number, digits = 1) =>
      (timings.length ? median(timings.map(pick)).toFixed(digits) : '-').padStart(width);
    lines.push(
      `  ${`  ${label}, ${memoryMb} MB`.padEnd(34)} ${p50((t) => t.wallMs, 10)} ${p50((t) => t.cpuMs, 7)} ${p50((t) => t.aws.filter((e) => typeof e === 'string').length, 8, 0)} ${p50((t) => awsWaitMs(t.aws), 8, 0)} ${billed.ms.toFixed(1).padStart(8)}${billed.measured ? '' : '   (stated, not timed)'}`,
    );
  };
  for (const name of (Object.keys(usage.invocations) as FunctionName[]).filter((n) => !SCHEDULED.has(n)).sort()) {
    const memoryMb = topology.functions[name].memoryMb;
    const timings = usage.timings[name] ?? [];
    if (name !== 'capture') {
      row(name, memoryMb, timings, meanBilledMs(usage, name));
      continue;
    }
    // Capture serves the render token (no AWS request) and the post: apart, they read as what they are.
    const views = timings.filter(isFormView);
    const posts = timings.filter((timing) => !isFormView(timing));
    row('capture: render token', memoryMb, views, meanBilled(views, memoryMb));
    row('capture: post', memoryMb, posts, meanBilled(posts, memoryMb));
  }
  const cost = costPerMillionLeads(usage);
  lines.push('Cost per million leads (us-east-1 list prices and stated assumptions in bench/cost-model.ts):');
  for (const [item, dollars] of Object.entries(cost.items)) lines.push(`  ${item.padEnd(44)} ${`$${dollars.toFixed(2)}`.padStart(10)}`);
  const met = (dollars: number) => (dollars < COST_TARGET_BEFORE_SES ? 'met' : 'missed');
  const [edge, other] = usage.captureOnFunctionUrl
    ? ["embedded forms on capture's function URL", 'through the HTTP API (edge.captureFunctionUrl off)']
    : ['embedded forms through the HTTP API', "on capture's function URL (edge.captureFunctionUrl on)"];
  lines.push(
    `  ${'total before SES'.padEnd(44)} ${`$${cost.beforeSes.toFixed(2)}`.padStart(10)}   target $${COST_TARGET_BEFORE_SES}: ${met(cost.beforeSes)}, ${edge}${beside ? ` (before issue 11: $${before.dollarsBeforeSes.toFixed(2)}, through the API)` : ''}`,
    `  ${'the same, embedded forms on the other edge'.padEnd(44)} ${`$${cost.otherEdge.beforeSes.toFixed(2)}`.padStart(10)}   target $${COST_TARGET_BEFORE_SES}: ${met(cost.otherEdge.beforeSes)}, ${other}`,
    `  ${'a form view that does not submit'.padEnd(44)} ${`$${cost.perMillionFormViews.toFixed(2)}`.padStart(10)}   per million views, not in the total: a site pays it for every view of a form beyond one per lead ($${cost.otherEdge.perMillionFormViews.toFixed(2)} ${other.split(' (')[0]})`,
  );
  lines.push(`  ${'SES messages'.padEnd(44)} ${`$${cost.ses.toFixed(2)}`.padStart(10)}`);
  const defences = abuseDefenceCost(usage);
  const counters = reportCounterCost(usage);
  lines.push(
    `  ${'of which abuse defences (counters)'.padEnd(44)} ${`$${defences.dollars.toFixed(2)}`.padStart(10)}   ${defences.writeUnitsPerLead.toFixed(2)} write units per lead to ${ABUSE_DEFENCE_ITEMS.join(', ')} items`,
    `  ${'of which report counters (issue 13)'.padEnd(44)} ${`$${counters.dollars.toFixed(2)}`.padStart(10)}   ${counters.writeUnitsPerLead.toFixed(2)} write units per lead to INSIGHT items (a queue consumer's batch shares one UpdateItem per counter it moves)`,
    `  ${'of which MX lookups'.padEnd(44)} ${'$0.00'.padStart(10)}   Amazon-provided DNS is not billed per query; cached per container`,
  );
  return lines;
}
