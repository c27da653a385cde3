import { describe, expect, it } from 'vitest';
import { runSoak } from '../../bench/soak';

describe('soak with faults (1,000 submissions; `npm run soak` runs 10,000)', () => {
  it('loses nothing, duplicates nothing and misroutes nothing while SQS and SNS go down for 2 s, destinations fail or are down for an hour, routing sends fail after capture wrote, clients never retry, SES throttles, the consumer fails and every message arrives twice', async () => {
    const report = await runSoak({ count: 1000, concurrency: 20 });
    expect(report.accepted).toBe(1000);
    expect(report.storedLeads).toBe(1000);
    expect(report.lost).toBe(0);
    expect(report.salesLeads).toBe(600);
    expect(report.assignedOnce).toBe(600);
    expect(report.duplicateAssignments).toBe(0);
    expect(report.missingAssignments).toBe(0);
    expect(report.assignmentEmails).toEqual({ exactlyOne: 600, duplicated: 0, missing: 0 });
    expect(report.misrouted).toBe(0);
    expect(report.nurture).toMatchObject({ expected: 400, sentOnce: 400, duplicated: 0, missing: 0 });
    expect(report.deadLettersByQueue).toEqual({});
    // Counters agree with the leads, through every fault and every batch delivered twice.
    expect(report.counted).toEqual({ routed: 1000, assigned: 600, emailed: 600 });
    // The faults were real: sends failed after capture's write, and those clients never retried.
    expect(report.refusedRoutingSends).toBeGreaterThan(0);
    expect(report.neverRetried).toBe(100);
    expect(report.latencyMs.p99).toBeGreaterThan(0);
    // Destinations: one failing 20 % of requests (5xx) and leaving 5 % unanswered, one down for a simulated hour.
    const destinations = report.destinations!;
    expect(destinations.expected).toBe(600 * 3);
    expect(destinations.delivered).toBe(destinations.expected);
    expect(destinations.lost).toBe(0);
    expect(destinations.duplicatedNewId).toBe(0);
    expect(destinations.badSignatures).toBe(0);
    expect(destinations.retriesPerEvent).toBeGreaterThan(0);
  }, 600_000);
});
