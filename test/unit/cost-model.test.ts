import { describe, expect, it } from 'vitest';
import { costPerMillionLeads, PRICES } from '../../bench/cost-model';

const usage = (writeUnits: number) => ({
  leads: 1000,
  meter: { requests: { 'sqs:SendMessage': 1000 }, readUnits: 0, writeUnits, writeUnitsByItem: {}, indexWriteUnits: 0, indexWriteUnitsByIndex: {} },
  invocations: { capture: 1000, route: 100, routingSweep: 5 },
});

describe('cost per million leads', () => {
  it('prices the edge per page view and post, and what function URLs in their place would leave', () => {
    const cost = costPerMillionLeads(usage(0));
    // One stated page view and one post per lead, at the HTTP API's price per million requests.
    expect(cost.items['API Gateway HTTP API']).toBeCloseTo(2 * PRICES.httpApiPerMillion);
    expect(cost.beforeSes - cost.beforeSesWithFunctionUrls).toBeCloseTo(2 * PRICES.httpApiPerMillion);
  });

  it('prices a form view that never submits: the edge, an invocation of the forms function and its compute, no writes', () => {
    const cost = costPerMillionLeads(usage(9000));
    // 512 MB for the stated 60 ms: 0.03 GB-s a view.
    expect(cost.perMillionFormViews).toBeCloseTo(PRICES.httpApiPerMillion + PRICES.lambdaPerMillion + 0.03 * PRICES.lambdaArmPerGbSecond * 1e6);
  });

  it('prices write units per lead, and leaves scheduled sweeps out of the per-lead invocations', () => {
    const cost = costPerMillionLeads(usage(9000));
    expect(cost.writeUnitsPerLead).toBe(9);
    expect(cost.items['DynamoDB writes']).toBeCloseTo(9 * PRICES.dynamoWritePerMillion);
    // A page view, a capture and a tenth of a routing batch per lead; the sweep's 5 are a fixed cost.
    expect(cost.items['Lambda requests']).toBeCloseTo(2.1 * PRICES.lambdaPerMillion);
    expect(cost.items['SQS requests']).toBeCloseTo(PRICES.sqsPerMillion);
  });
});
