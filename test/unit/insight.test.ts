import { describe, expect, it } from 'vitest';
import type { Assignment, Lead, SubmissionRecord } from '../../shared/domain/core/lead';
import { countLeadChange, monthlySensitivity } from '../../shared/domain/insight/count-lead-change';
import {
  batchedCounters,
  bestEffortCounters,
  type CounterIncrement,
  coalescingCounters,
  knownValue,
  scoreBand,
  speedBucket,
} from '../../shared/domain/insight/counters';
import { buildReport, reportSensitivity } from '../../shared/domain/insight/reports';
import { PrivacyBudgetExceeded } from '../../shared/domain/insight/privacy-budget';
import { cryptoIntegers } from '../../shared/domain/insight/secure-random';
import { exampleConfig } from '../support/example-config';
import { InMemoryBudgetLedger, InMemoryCounters } from '../support/in-memory-ports';

const insight = { sources: ['google'], campaigns: ['spring'], journeysPerPersonPerMonth: 2, epsilonPerMonth: 3 };
const NOW = new Date('2026-11-30T12:00:00Z');
const submission = (n: number, at = NOW): SubmissionRecord => ({
  submissionId: `sub_${n}`,
  formId: 'contact',
  at: at.toISOString(),
  gpc: false,
  attribution: { utm_source: 'Google', utm_campaign: 'typed text' },
});
const lead = (changes: Partial<Lead> = {}): Lead => ({
  leadId: 'a'.repeat(64),
  email: 'p@engines.example',
  fields: {},
  consents: {},
  submissions: [submission(1)],
  doNotSellOrShare: false,
  createdAt: NOW.toISOString(),
  updatedAt: NOW.toISOString(),
  expiresAt: 2_000_000_000,
  ...changes,
});
const assignment = (changes: Partial<Assignment> = {}): Assignment => ({
  submissionId: 'sub_1',
  team: 'emea',
  rep: 'ana@example.com',
  reason: 'rule',
  assignedAt: NOW.toISOString(),
  slaDueAt: new Date(NOW.getTime() + 4 * 3600_000).toISOString(),
  generation: 1,
  score: 45,
  rules: ['corporate_email'],
  tried: ['ana@example.com'],
  ...changes,
});

describe('counting a saved change of a lead', () => {
  it('counts a routed, assigned submission once, under capped attribution, and records the journey on the lead', () => {
    const after = lead({ routedSubmissions: ['sub_1'], assignment: assignment() });
    const { lead: saved, increments } = countLeadChange(undefined, after, NOW, insight);
    expect(increments.map((i) => `${i.kind}:${i.dims.join('/')}:${i.field}`).sort()).toEqual([
      'calibration:40-59:assigned',
      'funnel:contact/google/other:assigned',
      'funnel:contact/google/other:routed',
      'funnel:contact/google/other:submitted',
      'load:emea/ana@example.com:assigned',
      'rules:corporate_email:assigned',
    ]);
    expect(saved.counted).toEqual({ month: '2026-11', journeys: ['sub_1'] });
    // The same lead saved again (a redelivered message's no-op) counts nothing.
    expect(countLeadChange(saved, saved, NOW, insight).increments).toEqual([]);
  });

  it('counts acceptance within the SLA with its speed bucket, and an SLA reassignment against both reps', () => {
    const before = lead({ routedSubmissions: ['sub_1'], assignment: assignment(), counted: { month: '2026-11', journeys: ['sub_1'] } });
    const accepted = { ...before, assignment: assignment({ acceptedAt: new Date(NOW.getTime() + 240_000).toISOString() }) };
    expect(
      countLeadChange(before, accepted, NOW, insight)
        .increments.map((i) => `${i.kind}:${i.field}`)
        .sort(),
    ).toEqual(['calibration:accepted', 'funnel:accepted', 'funnel:accepted_within_sla', 'load:accepted', 'rules:accepted', 'speed:to_accept_5m']);
    const moved = { ...before, assignment: assignment({ reason: 'sla_reassignment', rep: 'ben@example.com', generation: 2 }) };
    expect(
      countLeadChange(before, moved, NOW, insight)
        .increments.map((i) => `${i.kind}:${i.dims.at(-1)}:${i.field}`)
        .sort(),
    ).toEqual(['funnel:other:reassigned', 'load:ana@example.com:reassigned_away', 'load:ben@example.com:assigned']);
  });

  it('lets at most journeysPerPersonPerMonth submissions of one person move counters in a month, and starts again next month', () => {
    let current: Lead | undefined;
    const counts: number[] = [];
    for (let n = 1; n <= 4; n++) {
      const at = n === 4 ? new Date('2026-12-01T09:00:00Z') : NOW;
      const submissions = [...(current?.submissions ?? []), submission(n, at)];
      const next = lead({ ...current, submissions, routedSubmissions: submissions.map((s) => s.submissionId) });
      const counted = countLeadChange(current, next, at, insight);
      counts.push(counted.increments.length);
      current = counted.lead;
    }
    expect(counts).toEqual([2, 2, 0, 2]);
    expect(current?.counted).toEqual({ month: '2026-12', journeys: ['sub_4'] });
  });

  it('counts unsubscribes, bounces and complaints by the withdrawal method, once per change', () => {
    const granted = {
      status: 'granted',
      granted: true,
      at: NOW.toISOString(),
      formId: 'contact',
      submissionId: 'sub_1',
      consentTextVersion: 'v1',
      textSha256: 'x',
      method: 'form_checkbox',
    } as const;
    const before = lead({ consents: { marketing_email: granted, product_updates: granted } });
    const withdrawn = (method: 'one_click_unsubscribe' | 'hard_bounce' | 'complaint') => ({
      ...granted,
      status: 'withdrawn' as const,
      granted: false,
      method,
      at: new Date(NOW.getTime() + 1000).toISOString(),
    });
    for (const [method, field] of [
      ['one_click_unsubscribe', 'unsubscribed'],
      ['hard_bounce', 'bounced'],
      ['complaint', 'complained'],
    ] as const) {
      const after = lead({ consents: { marketing_email: withdrawn(method), product_updates: withdrawn(method) } });
      expect(countLeadChange(before, after, NOW, insight).increments.map((i) => i.field)).toEqual([field]);
      // Counted once: the same withdrawal saved again (another purpose's change, a redelivery) counts nothing.
      expect(countLeadChange(after, { ...after, fields: { company: 'x' } }, NOW, insight).increments).toEqual([]);
    }
    // A confirmation that bounced: the consent was waiting, not granted, and still counts as bounced.
    const waiting = lead({ consents: { newsletter: { ...granted, status: 'pending_confirmation', granted: false } } });
    const bounced = lead({ consents: { newsletter: withdrawn('hard_bounce') } });
    expect(countLeadChange(waiting, bounced, NOW, insight).increments.map((i) => i.field)).toEqual(['bounced']);
  });

  it('keeps counter keys to configured values: no text a person typed', () => {
    expect(knownValue('Google', ['google'])).toBe('google');
    expect(knownValue('<script>', ['google'])).toBe('other');
    expect(knownValue(undefined, ['google'])).toBe('none');
    expect([0, 19, 20, 79, 80, 100].map(scoreBand)).toEqual(['0-19', '0-19', '20-39', '60-79', '80-100', '80-100']);
    expect([0, 60, 61, 3600, 86_400, 86_401].map(speedBucket)).toEqual(['1m', '1m', '5m', '1h', '1d', 'more']);
  });
});

describe('reports', () => {
  const settings = { ...exampleConfig, insight };
  const deps = (counters = new InMemoryCounters(), ledger = new InMemoryBudgetLedger()) => ({ settings, counters, ledger, random: cryptoIntegers(), now: NOW });

  it('sizes the noise to what one person can move: journeys times the counts of one journey, per month covered', () => {
    const reps = Object.values(settings.routing.teams).reduce((n, t) => n + Object.keys(t.reps).length, 0);
    expect(monthlySensitivity('funnel', insight, reps, 0)).toBe(2 * (12 + reps - 1) + 2 * 2);
    expect(reportSensitivity('speed', settings, 3)).toBe(3 * 2 * 2);
  });

  it('refuses a release that would pass any month budget, spending nothing in any month', async () => {
    const ledger = new InMemoryBudgetLedger();
    const d = deps(new InMemoryCounters(), ledger);
    await buildReport(d, { name: 'funnel', from: '2026-12-01', to: '2026-12-31', epsilon: 2.5 });
    await expect(buildReport(d, { name: 'funnel', from: '2026-11-01', to: '2026-12-31', epsilon: 1 })).rejects.toThrow(PrivacyBudgetExceeded);
    expect((await ledger.ledger('2026-11')).spentMicro).toBe(0);
    expect((await ledger.ledger('2026-12')).spentMicro).toBe(2_500_000);
  });

  it('a private count is noised around the exact one and never negative', async () => {
    const counters = new InMemoryCounters();
    await counters.add([{ kind: 'speed', day: '2026-11-30', dims: ['emea'], field: 'to_email_1m', by: 1000 }]);
    const ledger = { spend: async () => true, ledger: async () => ({ spentMicro: 0, releases: [] }) };
    const values: number[] = [];
    for (let i = 0; i < 200; i++) {
      const report = await buildReport({ ...deps(counters), ledger }, { name: 'speed', from: '2026-11-30', to: '2026-11-30', epsilon: 1 });
      const row = report.tables[0]!.rows[0]!.values as number[];
      values.push(row[0]!);
      expect(row.slice(1, 7).every((v) => v >= 0)).toBe(true);
    }
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(new Set(values).size).toBeGreaterThan(1);
    expect(Math.abs(mean - 1000)).toBeLessThan(3); // scale 4 over 200 draws: the mean's sd is about 0.4
  });
});

describe('counter writes', () => {
  const increment = (field: string): CounterIncrement => ({ kind: 'funnel', day: '2026-11-30', dims: ['contact', 'none', 'none'], field, by: 1 });
  /** In-memory counters that record how many increments each add carried. */
  const recordingCounters = () => {
    const inner = new InMemoryCounters();
    const calls: number[] = [];
    const counting = {
      add: async (i: readonly CounterIncrement[]) => {
        calls.push(i.length);
        await inner.add(i);
      },
      read: inner.read.bind(inner),
    };
    return { inner, calls, counting };
  };

  it('gathers increments added close together into one write, each caller waiting for it', async () => {
    const { inner, calls, counting } = recordingCounters();
    const counters = coalescingCounters(counting, 10);
    await Promise.all([counters.add([increment('submitted'), increment('routed')]), counters.add([increment('submitted')]), counters.add([])]);
    expect(calls).toEqual([3]);
    await counters.add([increment('assigned')]);
    expect(calls).toEqual([3, 1]);
    expect((await inner.read('funnel', '2026-11-30', '2026-11-30'))[0]!.counts).toEqual({ submitted: 2, routed: 1, assigned: 1 });
  });

  it("a consumer's batch: increments wait for the flush at the batch's end and go out in one add; should no flush come, the fallback sends them", async () => {
    const { calls, counting } = recordingCounters();
    const counters = batchedCounters(counting, 50);
    await Promise.all([counters.add([increment('routed'), increment('assigned')]), counters.add([increment('routed')]), counters.add([])]);
    expect(calls).toEqual([]);
    await counters.flush();
    expect(calls).toEqual([3]);
    await counters.flush();
    expect(calls).toEqual([3]);
    await counters.add([increment('accepted')]);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(calls).toEqual([3, 1]);
    expect((await counters.read('funnel', '2026-11-30', '2026-11-30'))[0]!.counts).toEqual({ routed: 2, assigned: 1, accepted: 1 });
  });

  it('never fails the work it counts: a failed write is reported with how many increments it lost', async () => {
    const failures: number[] = [];
    const broken = { add: async () => Promise.reject(new Error('throttled')), read: async () => [] };
    await expect(bestEffortCounters(broken, (_e, n) => failures.push(n)).add([increment('submitted')])).resolves.toBeUndefined();
    expect(failures).toEqual([1]);
  });
});
