import { describe, expect, it } from 'vitest';
import { awsWaitMs, billedMs, costPerMillionLeads, PRICES } from '../../bench/cost-model';

/** A render token (no AWS request, 1 ms of CPU) and a post (a put and a counter update together, then a message; 2 ms of CPU). */
const view = { wallMs: 2, cpuMs: 1, aws: [] };
const post = { wallMs: 20, cpuMs: 2, aws: ['dynamodb', 'dynamodb', 0, 1, 'sqs', 2] };

/** 1,000 leads: a form view and a post each (both capture's), a tenth of a routing batch (untimed). */
const usage = (writeUnits: number, captureOnFunctionUrl = false) => ({
  leads: 1000,
  meter: {
    requests: { 'sqs:SendMessage': 1000 },
    readUnits: 0,
    writeUnits,
    writeUnitsByItem: {},
    indexWriteUnits: 0,
    indexWriteUnitsByIndex: {},
    emptyReceives: 0,
  },
  invocations: { capture: 2000, route: 100, routingSweep: 5 },
  timings: { capture: [...Array.from({ length: 1000 }, () => view), ...Array.from({ length: 1000 }, () => post)] },
  captureOnFunctionUrl,
});

describe('cost per million leads', () => {
  it("prices the edge per form view and post through the API, and capture's function URL in its place (hosted pages stay on the API)", () => {
    const cost = costPerMillionLeads(usage(0));
    expect(cost.items['API Gateway HTTP API']).toBeCloseTo(2 * PRICES.httpApiPerMillion);
    expect(cost.beforeSes - cost.otherEdge.beforeSes).toBeCloseTo(2 * PRICES.httpApiPerMillion);
    const onUrl = costPerMillionLeads(usage(0, true));
    expect(onUrl.items['API Gateway HTTP API']).toBe(0);
    expect(onUrl.beforeSes).toBeCloseTo(cost.otherEdge.beforeSes);
    expect(onUrl.otherEdge.beforeSes).toBeCloseTo(cost.beforeSes);
    // Half the leads also viewed the hosted page: the API still serves those views, whichever the edge.
    const withPages = (onFunctionUrl: boolean) => ({ ...usage(0, onFunctionUrl), invocations: { ...usage(0).invocations, forms: 500 } });
    expect(costPerMillionLeads(withPages(false)).items['API Gateway HTTP API']).toBeCloseTo(2.5 * PRICES.httpApiPerMillion);
    expect(costPerMillionLeads(withPages(true)).items['API Gateway HTTP API']).toBeCloseTo(0.5 * PRICES.httpApiPerMillion);
  });

  it('prices a form view that never submits: an invocation of capture (the render token) and its billed compute, the API on that edge, no writes', () => {
    // 1024 MB: 1 ms of CPU at 1769/1024 of the time, rounded up to 2 ms: 0.002 GB-s a view (the posts' 19 ms left out).
    const onUrl = PRICES.lambdaPerMillion + 0.002 * PRICES.lambdaArmPerGbSecond * 1e6;
    expect(costPerMillionLeads(usage(9000, true)).perMillionFormViews).toBeCloseTo(onUrl);
    expect(costPerMillionLeads(usage(9000, true)).otherEdge.perMillionFormViews).toBeCloseTo(onUrl + PRICES.httpApiPerMillion);
    expect(costPerMillionLeads(usage(9000)).perMillionFormViews).toBeCloseTo(onUrl + PRICES.httpApiPerMillion);
  });

  it('prices write units per lead, and leaves scheduled sweeps out of the per-lead invocations', () => {
    const cost = costPerMillionLeads(usage(9000));
    expect(cost.writeUnitsPerLead).toBe(9);
    expect(cost.items['DynamoDB writes']).toBeCloseTo(9 * PRICES.dynamoWritePerMillion);
    // A form view and a post (capture both) and a tenth of a routing batch per lead; the sweep's 5 are a fixed cost.
    expect(cost.items['Lambda requests']).toBeCloseTo(2.1 * PRICES.lambdaPerMillion);
    expect(cost.items['SQS requests']).toBeCloseTo(PRICES.sqsPerMillion);
  });

  it("leaves the pollers' empty receives out of the per-lead SQS requests: they poll whether leads come or not", () => {
    const polled = usage(0);
    polled.meter.requests = { 'sqs:SendMessage': 1000, 'sqs:ReceiveMessage': 40_100 } as typeof polled.meter.requests;
    polled.meter.emptyReceives = 40_000;
    // A send per lead and one receive per routing batch of ten.
    expect(costPerMillionLeads(polled).items['SQS requests']).toBeCloseTo(1.1 * PRICES.sqsPerMillion);
  });

  it('bills functions the run did not time at the stated 60 ms, and timed ones at what they took', () => {
    const cost = costPerMillionLeads(usage(0));
    // capture (1024 MB) timed: views 2 ms, posts ceil(15 + 2 × 1769/1024) = 19 ms, two a lead; route (512 MB) untimed at 60 ms.
    const gbSeconds = 2 * 1 * ((0.002 + 0.019) / 2) + 0.1 * 0.5 * 0.06;
    expect(cost.items['Lambda compute (arm64 GB-s)']).toBeCloseTo(gbSeconds * PRICES.lambdaArmPerGbSecond * 1e6);
  });
});

describe('billed duration of a locally timed invocation', () => {
  const timing = (cpuMs: number, aws: (string | number)[] = [], wallMs = 500) => ({ wallMs, cpuMs, aws });

  it('waits a round trip for requests sent together, one each for requests sent one after another', () => {
    // A put and a counter update together, then a queue send once both are answered: 5 ms, then 10 ms.
    expect(awsWaitMs(['dynamodb', 'dynamodb', 0, 1, 'sqs', 2])).toBe(15);
    // The send leaves once the put is answered, while the counter update is still out: 5 + 10.
    expect(awsWaitMs(['dynamodb', 'dynamodb', 0, 'sqs', 1, 2])).toBe(15);
    // Three reads one after another, and an email: 5 + 5 + 5 + 50.
    expect(awsWaitMs(['dynamodb', 0, 'dynamodb', 1, 'dynamodb', 2, 'ses', 3])).toBe(65);
    // Two records handled in parallel, each a read then a write: two round trips, not four.
    expect(awsWaitMs(['dynamodb', 'dynamodb', 0, 'dynamodb', 1, 'dynamodb', 2, 3])).toBe(10);
    // A request left unanswered at the end was still waited on.
    expect(awsWaitMs(['dynamodb', 0, 'ses'])).toBe(55);
    expect(awsWaitMs([])).toBe(0);
    // Counted in round trips: a capture's put and counter together, then its message.
    expect(awsWaitMs(['dynamodb', 'dynamodb', 0, 1, 'sqs', 2], () => 1)).toBe(2);
  });

  it('bills the wait in the region, not the local wall time, plus CPU time stretched by the vCPU share the memory buys, rounded up', () => {
    expect(billedMs(timing(0, ['dynamodb', 'dynamodb', 0, 1, 'sqs', 2], 400), 1769)).toBe(15);
    expect(billedMs(timing(2, ['dynamodb', 0]), 512)).toBe(Math.ceil(5 + (2 * 1769) / 512));
    expect(billedMs(timing(2, ['dynamodb', 0]), 1024)).toBe(Math.ceil(5 + (2 * 1769) / 1024));
  });

  it('never shrinks CPU time where the memory buys more than a vCPU, and bills at least 1 ms', () => {
    expect(billedMs(timing(2), 3538)).toBe(2);
    expect(billedMs(timing(0.05), 512)).toBe(1);
  });
});
