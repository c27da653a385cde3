import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynamoDb, startDynamoDbLocal, type Emulator } from '../../infra/local/emulators';
import { DynamoBudgetLedger } from '../../shared/adapters/dynamo-budget-ledger';
import { counterItem, counterItems, DynamoInsightCounters } from '../../shared/adapters/dynamo-insight-counters';
import { DynamoRunMark } from '../../shared/adapters/dynamo-run-mark';
import { counterKey, scheduleRunKey } from '../../shared/adapters/table-keys';
import { type CounterRow, type InsightCounters, SCORE_BANDS } from '../../shared/domain/insight/counters';
import { type BudgetLedger, PrivacyBudgetExceeded, spendPrivacyBudget, toMicro } from '../../shared/domain/insight/privacy-budget';
import { provisionTable } from '../../infra/local/provision';
import { exampleConfig } from '../support/example-config';
import { scanWholeTable } from '../../infra/local/local-stores';
import { DynamoLeadRepository } from '../../shared/adapters/dynamo-lead-repository';
import { DynamoRateLimiter } from '../../shared/adapters/dynamo-rate-limiter';
import { DynamoRotationStore } from '../../shared/adapters/dynamo-rotation-store';
import { DynamoSubmissionStore } from '../../shared/adapters/dynamo-submission-store';
import { DynamoSuppressionList } from '../../shared/adapters/dynamo-suppression-list';
import type { Assignment, ConsentEvent, Lead } from '../../shared/domain/core/lead';
import type { LeadRepository, RotationStore, RunMark, StoredSubmission, SubmissionStore } from '../../shared/domain/core/ports';
import type { RateLimiter } from '../../shared/domain/capture/rate-limits';
import { ROUTING_GRACE_MS } from '../../shared/domain/routing/routing-sweep';
import { submissionIdFor } from '../../shared/domain/capture/submission-id';
import type { SuppressionList } from '../../shared/domain/nurture/suppression';
import {
  InMemoryBudgetLedger,
  InMemoryCounters,
  InMemoryRunMark,
  InMemoryLeads,
  InMemoryRateLimiter,
  InMemoryRotation,
  InMemorySubmissions,
  InMemorySuppressions,
} from '../support/in-memory-ports';

/**
 * One contract for each repository port, run against the in-memory fakes the unit tests use and
 * the DynamoDB adapters (dynalite, or DynamoDB Local with LEADGATE_DYNAMODB=dynamodb-local): the
 * fakes may not answer differently from what they stand in for.
 */
interface Repositories {
  leads: LeadRepository;
  submissions: SubmissionStore;
  rotation: RotationStore;
  suppressions: SuppressionList;
  rateLimiter: RateLimiter;
  budget: BudgetLedger;
  counters: InsightCounters;
  /** A fresh mark for each name asked. */
  runMark: (name: string) => RunMark;
}

const T0 = new Date('2026-11-23T10:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const epoch = (date: Date) => Math.floor(date.getTime() / 1000);
const YEAR = 365 * 86_400;

let emulator: Emulator | undefined;
let client: DynamoDBClient | undefined;
beforeAll(async () => {
  emulator = process.env.LEADGATE_DYNAMODB === 'dynamodb-local' ? await startDynamoDbLocal(0) : await startDynamoDb(0);
  client = new DynamoDBClient({ region: 'us-east-1', endpoint: emulator.url, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}, 60_000);
afterAll(async () => {
  client?.destroy();
  await emulator?.stop();
});

const implementations: [string, () => Promise<Repositories>][] = [
  [
    'in-memory fakes',
    async () => ({
      leads: new InMemoryLeads(),
      submissions: new InMemorySubmissions(),
      rotation: new InMemoryRotation(),
      suppressions: new InMemorySuppressions() as unknown as SuppressionList,
      rateLimiter: new InMemoryRateLimiter(),
      budget: new InMemoryBudgetLedger(),
      counters: new InMemoryCounters(),
      runMark: () => new InMemoryRunMark(),
    }),
  ],
  [
    'DynamoDB adapters',
    async () => {
      const table = await provisionTable(client!);
      const db = DynamoDBDocumentClient.from(client!, { marshallOptions: { removeUndefinedValues: true } });
      return {
        leads: new DynamoLeadRepository(db, table),
        submissions: new DynamoSubmissionStore(db, table),
        rotation: new DynamoRotationStore(db, table),
        suppressions: new DynamoSuppressionList(db, table),
        rateLimiter: new DynamoRateLimiter(db, table),
        budget: new DynamoBudgetLedger(db, table),
        counters: new DynamoInsightCounters(db, table),
        runMark: (name) => new DynamoRunMark(db, table, scheduleRunKey(name), 'schedule_run', 'coveredUntil'),
      };
    },
  ],
];

// Every case uses fresh ids: the DynamoDB implementations share one table.
const id = (prefix: string) => `${prefix}-${randomUUID()}`;

function lead(leadId: string, changes: Partial<Lead> = {}): Lead {
  return {
    leadId,
    email: `${leadId}@example.com`,
    fields: { firstName: 'Ada' },
    consents: {},
    submissions: [],
    doNotSellOrShare: false,
    createdAt: T0.toISOString(),
    updatedAt: T0.toISOString(),
    expiresAt: epoch(T0) + YEAR,
    ...changes,
  };
}

function assignment(changes: Partial<Assignment> = {}): Assignment {
  return {
    submissionId: 'sub-1',
    team: 'emea',
    rep: 'rep@example.com',
    reason: 'rotation' as Assignment['reason'],
    assignedAt: at(0).toISOString(),
    slaDueAt: at(3600).toISOString(),
    generation: 1,
    tried: ['rep@example.com'],
    ...changes,
  };
}

/** A consent granted at T0 by submission `sub-1`, live for a year. */
const consentEvent = (leadId: string, purpose: string): ConsentEvent => ({
  type: 'consent.granted',
  leadId,
  purpose,
  at: at(0).toISOString(),
  formId: 'contact',
  submissionId: 'sub-1',
  consentTextVersion: 'v1',
  textSha256: 'a'.repeat(64),
  method: 'form_checkbox',
  gpc: false,
  expiresAt: epoch(T0) + YEAR,
});

const newClaim = () => randomUUID().replaceAll('-', '');

/** A pending submission accepted `seconds` after T0, under `claimId` (a fresh one unless given). */
function submission(leadId: string, seconds: number, claimId = newClaim(), changes: Partial<StoredSubmission> = {}): StoredSubmission {
  const email = 'ada@example.com';
  return {
    leadId,
    submissionId: submissionIdFor(claimId, at(seconds)),
    formId: 'contact',
    at: at(seconds).toISOString(),
    submission: { formId: 'contact', email, fields: { email }, grantedPurposes: [], attribution: {}, gpc: false },
    state: 'pending',
    fingerprint: 'content-1',
    dedupUntil: epoch(at(seconds + 600)),
    expiresAt: epoch(T0) + YEAR,
    ...changes,
  };
}

describe.each(implementations)('repository contract: %s', (_name, make) => {
  let repos: Repositories;
  beforeAll(async () => {
    repos = await make();
  });

  describe('RunMark', () => {
    it('starts unset, then moves only from where the caller saw it, with what it noted', async () => {
      const mark = repos.runMark(id('job'));
      expect(await mark.last()).toBeUndefined();
      expect(await mark.advance(undefined, at(60))).toBe(true);
      expect(await mark.advance(undefined, at(120))).toBe(false);
      expect(await mark.advance(at(30), at(120))).toBe(false);
      expect(await mark.advance(at(60), at(30), ['lead-1#100'])).toBe(true);
      expect(await mark.last()).toEqual({ at: at(30), noted: ['lead-1#100'] });
      expect(await mark.advance(at(30), at(90))).toBe(true);
      expect(await mark.last()).toEqual({ at: at(90), noted: [] });
    });
  });

  describe('BudgetLedger', () => {
    it('records releases up to the budget exactly, and refuses the one that would pass it, recording nothing', async () => {
      const period = id('2026-11');
      const release = (what: string, epsilon: number) => ({ what, microEpsilon: toMicro(epsilon), at: at(0).toISOString() });
      expect(await repos.budget.spend(period, release('funnel', 0.4), toMicro(1))).toBe(true);
      expect(await repos.budget.spend(period, release('speed', 0.4), toMicro(1))).toBe(true);
      expect(await repos.budget.spend(period, release('load', 0.3), toMicro(1))).toBe(false);
      expect(await repos.budget.spend(period, release('calibration', 0.2), toMicro(1))).toBe(true);
      expect(await repos.budget.spend(period, release('more', 0.000001), toMicro(1))).toBe(false);
      const ledger = await repos.budget.ledger(period);
      expect(ledger.spentMicro).toBe(1_000_000);
      expect(ledger.releases.map((r) => r.what)).toEqual(['funnel', 'speed', 'calibration']);
      await expect(spendPrivacyBudget(repos.budget, period, 1, 0.5, 'again', at(1))).rejects.toThrow(
        new PrivacyBudgetExceeded(
          `Refused: releasing with epsilon 0.5 would spend more than the ${period} budget of 1 (1 spent, 0 left). Nothing was released.`,
        ),
      );
      expect(await repos.budget.spend(id('2026-12'), release('first of a new period', 1), toMicro(1))).toBe(true);
    });
  });

  describe('InsightCounters', () => {
    it('adds increments (merging those of one counter), and reads a kind between two days inclusive, across months', async () => {
      const add = (day: string, dims: string[], field: string, by = 1) => ({ kind: 'load' as const, day, dims, field, by });
      await repos.counters.add([
        add('2031-01-31', ['emea', 'ana'], 'assigned'),
        add('2031-01-31', ['emea', 'ana'], 'assigned'),
        add('2031-01-31', ['emea', 'ana'], 'accepted'),
      ]);
      await repos.counters.add([add('2031-01-31', ['emea', 'ana'], 'assigned', 3), add('2031-02-01', ['emea', 'ben'], 'reassigned_away')]);
      await repos.counters.add([
        add('2031-02-02', ['emea', 'ben'], 'assigned'),
        { kind: 'funnel', day: '2031-02-01', dims: ['contact', 'none', 'none'], field: 'submitted', by: 1 },
      ]);
      const rows = await repos.counters.read('load', '2031-01-31', '2031-02-01');
      const sorted = rows.map(({ day, dims, counts }) => ({ day, dims, counts })).sort((a, b) => a.day.localeCompare(b.day));
      expect(sorted).toEqual([
        { day: '2031-01-31', dims: ['emea', 'ana'], counts: { assigned: 5, accepted: 1 } },
        { day: '2031-02-01', dims: ['emea', 'ben'], counts: { reassigned_away: 1 } },
      ]);
      expect(await repos.counters.read('load', '2031-03-01', '2031-03-31')).toEqual([]);
    });

    it('reads a month that is over with the same totals every time (kept summed per month by DynamoDB)', async () => {
      const add = (day: string, rep: string, by: number) => ({ kind: 'load' as const, day, dims: ['apac', rep], field: 'assigned', by });
      await repos.counters.add([add('2020-03-01', 'kim', 1), add('2020-03-15', 'kim', 2), add('2020-03-31', 'lee', 4), add('2020-04-01', 'kim', 8)]);
      const totals = (rows: CounterRow[]) => {
        const sums: Record<string, number> = {};
        for (const row of rows) sums[row.dims.join('/')] = (sums[row.dims.join('/')] ?? 0) + (row.counts.assigned ?? 0);
        return sums;
      };
      expect(totals(await repos.counters.read('load', '2020-03-01', '2020-03-31'))).toEqual({ 'apac/kim': 3, 'apac/lee': 4 });
      expect(totals(await repos.counters.read('load', '2020-02-01', '2020-04-30'))).toEqual({ 'apac/kim': 11, 'apac/lee': 4 });
      expect(totals(await repos.counters.read('load', '2020-03-10', '2020-03-31'))).toEqual({ 'apac/kim': 2, 'apac/lee': 4 });
    });
    it('reads the kinds a lead moves together (score band, rules, team speed) apart, each with its own dimensions, in a day and over a month that is over', async () => {
      const lead = (day: string, band: string, rules: string[], bucket: string) => [
        { kind: 'calibration' as const, day, dims: [band], field: 'assigned', by: 1 },
        ...rules.map((rule) => ({ kind: 'rules' as const, day, dims: [rule], field: 'assigned', by: 1 })),
        { kind: 'speed' as const, day, dims: ['emea'], field: `to_email_${bucket}`, by: 1 },
      ];
      await repos.counters.add([
        ...lead('2021-06-03', '40-59', ['corporate_email', 'contact_form'], '1m'),
        ...lead('2021-06-03', '80-100', ['contact_form'], '5m'),
      ]);
      await repos.counters.add(lead('2021-06-30', '40-59', ['named_company'], '1m'));
      const summed = async (kind: 'calibration' | 'rules' | 'speed', from: string, to: string) => {
        const sums: Record<string, number> = {};
        for (const row of await repos.counters.read(kind, from, to)) {
          expect(row.kind).toBe(kind);
          for (const [field, n] of Object.entries(row.counts)) sums[`${row.dims.join('/')} ${field}`] = (sums[`${row.dims.join('/')} ${field}`] ?? 0) + n;
        }
        return sums;
      };
      expect(await summed('calibration', '2021-06-03', '2021-06-03')).toEqual({ '40-59 assigned': 1, '80-100 assigned': 1 });
      expect(await summed('rules', '2021-06-03', '2021-06-03')).toEqual({ 'corporate_email assigned': 1, 'contact_form assigned': 2 });
      expect(await summed('speed', '2021-06-03', '2021-06-03')).toEqual({ 'emea to_email_1m': 1, 'emea to_email_5m': 1 });
      // The whole month, twice: summed once and kept, then read from what was kept.
      for (let read = 0; read < 2; read++) {
        expect(await summed('rules', '2021-06-01', '2021-06-30')).toEqual({
          'corporate_email assigned': 1,
          'contact_form assigned': 2,
          'named_company assigned': 1,
        });
        expect(await summed('calibration', '2021-06-01', '2021-06-30')).toEqual({ '40-59 assigned': 2, '80-100 assigned': 1 });
      }
      expect(await summed('speed', '2021-06-04', '2021-06-29')).toEqual({});
    });
  });

  describe('LeadRepository', () => {
    it('saves a new lead once, then only over the version it read', async () => {
      const leadId = id('lead');
      expect(await repos.leads.get(leadId, at(0))).toBeUndefined();
      expect(await repos.leads.save(lead(leadId), undefined, at(0))).toBe(true);
      expect(await repos.leads.save(lead(leadId), undefined, at(0))).toBe(false);
      const stored = await repos.leads.get(leadId, at(0));
      expect(stored?.lead).toEqual(lead(leadId));
      expect(await repos.leads.save(lead(leadId, { fields: { firstName: 'Grace' } }), stored!.version, at(1))).toBe(true);
      expect(await repos.leads.save(lead(leadId, { fields: { firstName: 'Lost' } }), stored!.version, at(2))).toBe(false);
      expect((await repos.leads.get(leadId, at(3)))?.lead.fields).toEqual({ firstName: 'Grace' });
    });

    it('keeps the outbox written with a change until it is emptied over the version saved, which it leaves as it is', async () => {
      const leadId = id('lead');
      const event = {
        id: 'evt_aaaaaaaaaaaaaaaaaaaaaaaa',
        type: 'lead.created' as const,
        occurredAt: at(0).toISOString(),
        leadId,
        destinations: ['crm'],
        facts: {},
      };
      expect(await repos.leads.save(lead(leadId), undefined, at(0), [event])).toBe(true);
      const stored = await repos.leads.get(leadId, at(0));
      expect(stored?.outbox).toEqual([event]);
      expect(stored?.lead).toEqual(lead(leadId));
      expect(await repos.leads.clearOutbox(leadId, stored!.version + 1)).toBe(false);
      expect(await repos.leads.clearOutbox(leadId, stored!.version)).toBe(true);
      const cleared = await repos.leads.get(leadId, at(0));
      expect(cleared?.outbox).toBeUndefined();
      expect(cleared?.version).toBe(stored!.version);
    });

    it('treats a lead past its expiresAt as absent, and lets a new one take its place', async () => {
      const leadId = id('lead');
      await repos.leads.save(lead(leadId, { expiresAt: epoch(at(10)) }), undefined, at(0));
      expect(await repos.leads.get(leadId, at(9))).toBeDefined();
      expect(await repos.leads.get(leadId, at(10))).toBeUndefined();
      expect(await repos.leads.save(lead(leadId), undefined, at(11))).toBe(true);
    });

    it('keeps each event once and lists the live ones', async () => {
      const leadId = id('lead');
      const live = consentEvent(leadId, 'sales_contact');
      await repos.leads.appendEvents([live, { ...consentEvent(leadId, 'marketing_email'), expiresAt: epoch(at(5)) }]);
      await repos.leads.appendEvents([live]);
      expect(await repos.leads.events(leadId, at(10))).toEqual([live]);
    });

    it('gives back each purpose a change decided once, however often it was written again', async () => {
      const leadId = id('lead');
      const [sales, marketing] = [consentEvent(leadId, 'sales_contact'), consentEvent(leadId, 'marketing_email')];
      await repos.leads.appendEvents([sales, marketing]);
      await repos.leads.appendEvents([sales, marketing]);
      await repos.leads.appendEvents([marketing]);
      const events = await repos.leads.events(leadId, at(1));
      expect(events).toHaveLength(2);
      expect(events).toEqual(expect.arrayContaining([sales, marketing]));
    });

    it('lists an assignment for the SLA sweep at its deadline, at once after its email failed until it is sent, never once accepted', async () => {
      const leadId = id('lead');
      const assigned = assignment();
      await repos.leads.save(lead(leadId, { assignment: assigned }), undefined, at(0));
      expect(await repos.leads.findSlaDue(at(3599))).not.toContain(leadId);
      expect(await repos.leads.findSlaDue(at(3600))).toContain(leadId);

      expect(await repos.leads.markNotified(leadId, assigned, at(1))).toBe(true);
      expect(await repos.leads.markNotified(leadId, assigned, at(1))).toBe(false);
      expect(await repos.leads.markNotified(leadId, { ...assigned, generation: 2 }, at(1))).toBe(false);
      expect(await repos.leads.findSlaDue(at(3599))).not.toContain(leadId);
      expect(await repos.leads.findSlaDue(at(3600))).toContain(leadId);

      await repos.leads.unmarkNotified(leadId, assigned, at(1));
      expect(await repos.leads.findSlaDue(at(1))).toContain(leadId);
      const failed = (await repos.leads.get(leadId, at(1)))?.lead.assignment;
      expect(failed?.notifiedAt).toBeUndefined();
      expect(failed?.notifyFailedAt).toBeDefined();
      // Sent at last: back to the deadline.
      expect(await repos.leads.markNotified(leadId, failed!, at(2))).toBe(true);
      expect(await repos.leads.findSlaDue(at(3599))).not.toContain(leadId);
      expect((await repos.leads.get(leadId, at(2)))?.lead.assignment?.notifyFailedAt).toBeUndefined();

      const stored = await repos.leads.get(leadId, at(2));
      await repos.leads.save(lead(leadId, { assignment: { ...assigned, acceptedAt: at(2).toISOString() } }), stored!.version, at(2));
      expect(await repos.leads.findSlaDue(at(100_000))).not.toContain(leadId);
    });

    it("lists a lead for the nurture tick with its step's due time while the step is due, until it is sent or the sequence stops", async () => {
      const leadId = id('lead');
      const nurture = {
        sequence: 'welcome',
        enrolledAt: at(0).toISOString(),
        nextStep: 0,
        nextDueAt: at(60).toISOString(),
        status: 'active' as const,
        sent: [],
      };
      const nurtureDue = async (now: Date) => (await repos.leads.findNurtureDue(now)).map((due) => due.leadId);
      await repos.leads.save(lead(leadId, { nurture }), undefined, at(0));
      expect(await nurtureDue(at(59))).not.toContain(leadId);
      expect(await nurtureDue(at(60))).toContain(leadId);

      expect((await repos.leads.findNurtureDue(at(61))).find((due) => due.leadId === leadId)?.dueAt).toEqual(at(60));

      const advanced = await repos.leads.get(leadId, at(61));
      await repos.leads.save(lead(leadId, { nurture: { ...nurture, nextStep: 1, nextDueAt: at(3600).toISOString() } }), advanced!.version, at(61));
      expect(await nurtureDue(at(3599))).not.toContain(leadId);
      expect(await nurtureDue(at(3600))).toContain(leadId);

      const stopped = await repos.leads.get(leadId, at(62));
      await repos.leads.save(lead(leadId, { nurture: { ...nurture, status: 'stopped' } }), stopped!.version, at(62));
      expect(await nurtureDue(at(100_000))).not.toContain(leadId);
    });
  });

  describe('SubmissionStore', () => {
    it('stores a submission once per claim: a second post with the claim gets the first back and writes nothing', async () => {
      const leadId = id('lead');
      const claim = newClaim();
      const first = submission(leadId, 10, claim);
      expect(await repos.submissions.add(first, at(10))).toEqual({ created: true });
      expect(await repos.submissions.add(submission(leadId, 20, claim, { fingerprint: 'other' }), at(20))).toEqual({ created: false, existing: first });
      const earlier = submission(leadId, 5);
      expect(await repos.submissions.add(earlier, at(30))).toEqual({ created: true });
      expect(await repos.submissions.get(leadId, first.submissionId, at(30))).toEqual(first);
      expect((await repos.submissions.unmerged(leadId, at(30))).map((s) => s.submissionId)).toEqual([earlier.submissionId, first.submissionId]);
    });

    it('frees a claim once its submission is merged and its window has ended, never while it waits unmerged', async () => {
      const leadId = id('lead');
      const claim = newClaim();
      const first = submission(leadId, 0, claim);
      await repos.submissions.add(first, at(0));
      expect((await repos.submissions.add(submission(leadId, 700, claim), at(700))).created).toBe(false);
      await repos.submissions.transition(leadId, first.submissionId, 'pending', 'merged', at(701));
      const next = submission(leadId, 702, claim);
      expect(await repos.submissions.add(next, at(702))).toEqual({ created: true });
      // The earlier id no longer names a live submission; the new one does.
      expect(await repos.submissions.get(leadId, first.submissionId, at(702))).toBeUndefined();
      expect((await repos.submissions.get(leadId, next.submissionId, at(702)))?.submissionId).toBe(next.submissionId);

      const heldClaim = newClaim();
      const held = submission(leadId, 0, heldClaim);
      await repos.submissions.add(held, at(0));
      await repos.submissions.transition(leadId, held.submissionId, 'pending', 'held', at(1), { reasons: ['ip_burst'], at: at(1).toISOString() });
      const again = await repos.submissions.add(submission(leadId, 86_400, heldClaim), at(86_400));
      expect(again.created === false && again.existing.submissionId).toBe(held.submissionId);
    });

    it('frees a claim whose unmerged submission is past its expiry, before TTL has deleted it', async () => {
      const leadId = id('lead');
      const claim = newClaim();
      const stale = submission(leadId, 0, claim, { expiresAt: epoch(at(100)) });
      await repos.submissions.add(stale, at(0));
      const early = await repos.submissions.add(submission(leadId, 99, claim), at(99));
      expect(early.created === false && early.existing.submissionId).toBe(stale.submissionId);
      const next = submission(leadId, 100, claim);
      expect(await repos.submissions.add(next, at(100))).toEqual({ created: true });
      expect((await repos.submissions.get(leadId, next.submissionId, at(100)))?.submissionId).toBe(next.submissionId);
    });

    it('a merged submission answers retries with its id until its window ends', async () => {
      const leadId = id('lead');
      const claim = newClaim();
      const first = submission(leadId, 0, claim);
      await repos.submissions.add(first, at(0));
      await repos.submissions.transition(leadId, first.submissionId, 'pending', 'merged', at(1));
      const retry = await repos.submissions.add(submission(leadId, 2, claim), at(2));
      expect(retry.created === false && [retry.existing.submissionId, retry.existing.state, retry.existing.submission]).toEqual([
        first.submissionId,
        'merged',
        undefined,
      ]);
    });

    it("tells a write whose answer was lost (the SDK's retry finds it) from another request's: the same attempt is this call's", async () => {
      const leadId = id('lead');
      const claim = newClaim();
      const first = submission(leadId, 0, claim, { attempt: 'attempt-1' });
      expect((await repos.submissions.add(first, at(0))).created).toBe(true);
      expect((await repos.submissions.add(first, at(0))).created).toBe(true);
      const other = await repos.submissions.add(submission(leadId, 0, claim, { attempt: 'attempt-2' }), at(0));
      expect(other.created === false && other.existing.attempt).toBe('attempt-1');
    });

    it('removes a submission by its id only, and never one in the routing sweep (another request promised it)', async () => {
      const leadId = id('lead');
      const claim = newClaim();
      const stored = submission(leadId, 0, claim);
      await repos.submissions.add(stored, at(0));
      await repos.submissions.remove(leadId, submissionIdFor(claim, at(99)));
      expect(await repos.submissions.get(leadId, stored.submissionId, at(1))).toBeDefined();
      await repos.submissions.remove(leadId, stored.submissionId);
      expect(await repos.submissions.get(leadId, stored.submissionId, at(1))).toBeUndefined();
      // Gone: nothing to promise, and the attempt writes nothing back.
      expect(await repos.submissions.enterRoutingSweep(stored, {})).toBe('gone');
      expect(await repos.submissions.get(leadId, stored.submissionId, at(1))).toBeUndefined();
      expect((await repos.submissions.add(stored, at(2))).created).toBe(true);
      expect(await repos.submissions.enterRoutingSweep(stored, {})).toBe('entered');
      await repos.submissions.remove(leadId, stored.submissionId);
      expect(await repos.submissions.get(leadId, stored.submissionId, at(3))).toMatchObject({ state: 'pending' });
    });

    it('moves a submission between states in one conditional step each', async () => {
      const leadId = id('lead');
      const { submissionId } = submission(leadId, 0);
      await repos.submissions.add(submission(leadId, 0, submissionId.slice(4, 36)), at(0));
      const held = { reasons: ['ip_burst'], at: at(1).toISOString() };
      expect(await repos.submissions.transition(leadId, submissionId, 'pending', 'held', at(1), held)).toBe(true);
      expect(await repos.submissions.transition(leadId, submissionId, 'pending', 'held', at(1), held)).toBe(false);
      expect((await repos.submissions.get(leadId, submissionId, at(2)))?.held).toEqual(held);
      expect(await repos.submissions.transition(leadId, submissionId, 'held', 'released', at(3))).toBe(true);
      expect(await repos.submissions.transition(leadId, submissionId, 'released', 'merged', at(4))).toBe(true);
      // Merged: nothing personal kept, and it reads as gone.
      expect(await repos.submissions.get(leadId, submissionId, at(4))).toBeUndefined();
      expect(await repos.submissions.unmerged(leadId, at(4))).toEqual([]);
    });

    it('lists submissions still held, by the second they were held, for the review digest', async () => {
      const leadId = id('lead');
      const [early, late, released] = [submission(leadId, 0), submission(leadId, 0), submission(leadId, 0)];
      for (const s of [early, late, released]) await repos.submissions.add(s, at(0));
      const hold = (s: StoredSubmission, seconds: number) =>
        repos.submissions.transition(leadId, s.submissionId, 'pending', 'held', at(seconds), { reasons: ['ip_burst'], at: at(seconds).toISOString() });
      await hold(early, 10);
      await hold(late, 20);
      await hold(released, 20);
      await repos.submissions.transition(leadId, released.submissionId, 'held', 'released', at(30));
      const held = async (after: number, until: number) =>
        (await repos.submissions.findHeld(at(after), at(until), at(100))).filter((s) => s.leadId === leadId).map((s) => s.submissionId);
      expect(await held(0, 100)).toEqual(expect.arrayContaining([early.submissionId, late.submissionId]));
      expect(await held(0, 100)).toHaveLength(2);
      expect(await held(10, 100)).toEqual([late.submissionId]);
      expect(await held(0, 19)).toEqual([early.submissionId]);
      expect(await held(20, 20)).toEqual([]);
      // Held ones are never due for the routing sweep.
      expect((await repos.submissions.findRoutingDue(at(10_000))).filter((s) => s.leadId === leadId).map((s) => s.state)).toEqual(['released']);
    });

    it('lists pending submissions put in the routing sweep and released ones after the grace period, with recorded findings; never others', async () => {
      const leadId = id('lead');
      const grace = ROUTING_GRACE_MS / 1000;
      const due = async (seconds: number) =>
        (await repos.submissions.findRoutingDue(at(seconds)))
          .filter((s) => s.leadId === leadId)
          .map((s) => [s.fingerprint, s.state, s.admission])
          .sort();
      const pending = submission(leadId, 0, newClaim(), { fingerprint: 'pending' });
      const held = submission(leadId, 0, newClaim(), { fingerprint: 'held' });
      const sent = submission(leadId, 0, newClaim(), { fingerprint: 'sent' });
      for (const s of [pending, held, sent]) await repos.submissions.add(s, at(0));
      // Its message sent, a pending submission is not the sweep's: only one whose message failed is.
      expect(await due(10_000)).toEqual([]);
      expect(await repos.submissions.enterRoutingSweep(pending, { screening: ['ip_burst'] })).toBe('entered');
      await repos.submissions.transition(leadId, held.submissionId, 'pending', 'held', at(0), { reasons: ['x'], at: at(0).toISOString() });
      expect(await repos.submissions.enterRoutingSweep(held, {})).toBe('settled');
      expect(await due(grace - 1)).toEqual([]);
      expect(await due(grace)).toEqual([['pending', 'pending', { screening: ['ip_burst'] }]]);

      await repos.submissions.transition(leadId, held.submissionId, 'held', 'released', at(100));
      expect(await due(100 + grace - 1)).toEqual([['pending', 'pending', { screening: ['ip_burst'] }]]);
      expect(await due(100 + grace)).toEqual([
        ['held', 'released', undefined],
        ['pending', 'pending', { screening: ['ip_burst'] }],
      ]);
      await repos.submissions.transition(leadId, pending.submissionId, 'pending', 'merged', at(200));
      expect(await due(10_000)).toEqual([['held', 'released', undefined]]);
    });
  });

  describe('RotationStore', () => {
    it('gives each submission its own turn, the same one when it asks again at once, and caps a rep per day', async () => {
      const team = id('team');
      const first = await repos.rotation.takeTurn(team, 'a');
      expect(first).toBe(0);
      expect(await repos.rotation.takeTurn(team, 'a')).toBe(first);
      expect(await repos.rotation.takeTurn(team, 'b')).toBe(first + 1);
      // Asked again after another took a turn: a new turn (one rep skipped once), never a taken one.
      expect(await repos.rotation.takeTurn(team, 'a')).toBe(first + 2);
      const turns = await Promise.all(['c', 'd', 'e', 'f', 'f'].map((s) => repos.rotation.takeTurn(team, s)));
      expect(new Set(turns.slice(0, 4)).size).toBe(4);
      expect(turns.every((turn) => turn >= first + 3 && turn <= first + 7)).toBe(true);

      expect(await repos.rotation.claimCapacity(team, 'rep', '2026-11-23', 'a', 2)).toBe(true);
      expect(await repos.rotation.claimCapacity(team, 'rep', '2026-11-23', 'b', 2)).toBe(true);
      expect(await repos.rotation.claimCapacity(team, 'rep', '2026-11-23', 'a', 2)).toBe(true);
      expect(await repos.rotation.claimCapacity(team, 'rep', '2026-11-23', 'c', 2)).toBe(false);
      expect(await repos.rotation.claimCapacity(team, 'rep', '2026-11-24', 'c', 2)).toBe(true);
    });
  });

  describe('SuppressionList', () => {
    it('keeps the first time of each reason, lifts the reasons asked, and counts soft bounces', async () => {
      const leadId = id('lead');
      expect(await repos.suppressions.get(leadId)).toBeUndefined();
      await repos.suppressions.add(leadId, 'unsubscribed', at(0));
      await repos.suppressions.add(leadId, 'unsubscribed', at(5));
      await repos.suppressions.add(leadId, 'complained', at(6));
      expect(await repos.suppressions.get(leadId)).toMatchObject({ unsubscribedAt: at(0).toISOString(), complainedAt: at(6).toISOString() });
      await repos.suppressions.lift(leadId, ['unsubscribed']);
      const lifted = await repos.suppressions.get(leadId);
      expect(lifted?.unsubscribedAt).toBeUndefined();
      expect(lifted?.complainedAt).toBe(at(6).toISOString());
      await repos.suppressions.countSoftBounce(leadId);
      await repos.suppressions.countSoftBounce(leadId);
      expect((await repos.suppressions.get(leadId))?.softBounces).toBe(2);
    });
  });

  describe('RateLimiter', () => {
    it('counts hits per counter in fixed windows', async () => {
      const key = id('ip');
      expect(await repos.rateLimiter.hit(key, 3600, ['minute', 'hour'], at(0))).toEqual({ minute: 1, hour: 1 });
      expect(await repos.rateLimiter.hit(key, 3600, ['hour'], at(10))).toEqual({ hour: 2 });
      // T0 is on the hour: the next window starts afresh.
      expect(await repos.rateLimiter.hit(key, 3600, ['hour'], at(3600))).toEqual({ hour: 1 });
    });

    it('counts distinct members per set in the same item, a repeated member once', async () => {
      const key = id('ip');
      const growth = (members: Record<string, string>) => ({ members, whileBelow: { counter: 'posts', limit: 100 } });
      expect(await repos.rateLimiter.hit(key, 3600, ['posts'], at(0), growth({ tokenA: 'one' }))).toEqual({ posts: 1, tokenA: 1 });
      expect(await repos.rateLimiter.hit(key, 3600, ['posts'], at(1), growth({ tokenA: 'one' }))).toEqual({ posts: 2, tokenA: 1 });
      expect(await repos.rateLimiter.hit(key, 3600, ['posts'], at(2), growth({ tokenA: 'two', tokenB: 'one' }))).toEqual({ posts: 3, tokenA: 2, tokenB: 1 });
      expect(await repos.rateLimiter.hit(key, 3600, ['posts'], at(3600), growth({ tokenA: 'three' }))).toEqual({ posts: 1, tokenA: 1 });
    });

    it('records growth (named counters, set members) only while the bounding counter is below its limit, and answers past it as if it had', async () => {
      const key = id('ip');
      const hit = (i: number, members: Record<string, string> = { [`t${i}`]: `f${i}` }) =>
        repos.rateLimiter.hit(key, 3600, ['posts', 'm1'], at(i), { counters: [`shape${i % 2}`], members, whileBelow: { counter: 'posts', limit: 3 } });
      expect(await hit(0)).toEqual({ posts: 1, m1: 1, shape0: 1, t0: 1 });
      expect(await hit(1)).toEqual({ posts: 2, m1: 2, shape1: 1, t1: 1 });
      expect(await hit(2, { t0: 'f2' })).toEqual({ posts: 3, m1: 3, shape0: 2, t0: 2 });
      // Three posts counted before it: past the bound. The answer counts this hit, the item does not.
      expect(await hit(3)).toEqual({ posts: 4, m1: 4, shape1: 2, t3: 1 });
      expect(await hit(4, { t0: 'f4' })).toEqual({ posts: 5, m1: 5, shape0: 3, t0: 3 });
      expect(await hit(5, { t0: 'f5' })).toEqual({ posts: 6, m1: 6, shape1: 2, t0: 3 });
      expect(await hit(6, { t0: 'f0' })).toEqual({ posts: 7, m1: 7, shape0: 3, t0: 2 });
      // A new window starts below the bound again.
      expect(await hit(3600)).toEqual({ posts: 1, m1: 1, shape0: 1, t3600: 1 });
    });
  });
});

describe('DynamoInsightCounters in a month still open', () => {
  const NOW = new Date('2032-05-20T12:00:00Z');
  const assigned = (rows: CounterRow[]) => {
    const sums: Record<string, number> = {};
    for (const row of rows) sums[`${row.day} ${row.dims.join('/')}`] = (sums[`${row.day} ${row.dims.join('/')}`] ?? 0) + (row.counts.assigned ?? 0);
    return sums;
  };

  it("sums each settled day's shards once and keeps the totals; the last days are read from their shards", async () => {
    const table = await provisionTable(client!);
    const db = DynamoDBDocumentClient.from(client!, { marshallOptions: { removeUndefinedValues: true } });
    const shards = [0, 3, 7].map((shard) => new DynamoInsightCounters(db, table, () => NOW, shard));
    const add = (counters: DynamoInsightCounters, day: string, rep: string, by: number) =>
      counters.add([{ kind: 'load', day, dims: ['emea', rep], field: 'assigned', by }]);
    for (const [i, counters] of shards.entries()) {
      await add(counters, '2032-05-02', 'kim', 1 + i);
      await add(counters, '2032-05-18', 'lee', 10);
      await add(counters, '2032-05-20', 'kim', 100);
    }
    const reader = shards[0] as DynamoInsightCounters;
    const expected = { '2032-05-02 emea/kim': 6, '2032-05-18 emea/lee': 30, '2032-05-20 emea/kim': 300 };
    expect(assigned(await reader.read('load', '2032-05-01', '2032-05-20'))).toEqual(expected);
    // Kept: one total per settled day and dimension values (days before 05-19), and a marker for every settled day read.
    const kept = (await scanWholeTable(db, table)).filter((item) => String(item.pk) === 'INSIGHT-DAY#load#2032-05');
    expect(kept.filter((item) => item.itemType === 'counter_day').map((item) => [item.day, item.n_assigned])).toEqual([
      ['2032-05-02', 6],
      ['2032-05-18', 30],
    ]);
    expect(kept.filter((item) => item.itemType === 'counter_day_marker')).toHaveLength(18);
    // The totals are read from now on: a count landing on a settled day (which counts never do) is
    // not seen, and one on today's day is.
    await add(reader, '2032-05-02', 'kim', 1000);
    await add(reader, '2032-05-20', 'kim', 1);
    expect(assigned(await reader.read('load', '2032-05-01', '2032-05-20'))).toEqual({ ...expected, '2032-05-20 emea/kim': 301 });
    // A range starting inside the month reads the kept days it covers.
    expect(assigned(await reader.read('load', '2032-05-10', '2032-05-19'))).toEqual({ '2032-05-18 emea/lee': 30 });
  });

  it("writes one item for a lead's score band and every rule that scored it, and still reads those kinds' counters written an item each", async () => {
    const table = await provisionTable(client!);
    const db = DynamoDBDocumentClient.from(client!, { marshallOptions: { removeUndefinedValues: true } });
    const counters = new DynamoInsightCounters(db, table, () => NOW, 2);
    const day = '2032-05-20';
    // As the pack came in: a counter of a packed kind written as an item of its own.
    await db.send(
      new PutCommand({
        TableName: table,
        Item: counterItem(counterKey('rules', day, ['contact_form'], 5), 'counter', { day, dims: ['contact_form'], counts: { assigned: 4 } }),
      }),
    );
    await counters.add([
      { kind: 'calibration', day, dims: ['40-59'], field: 'assigned', by: 1 },
      { kind: 'rules', day, dims: ['corporate_email'], field: 'assigned', by: 1 },
      { kind: 'rules', day, dims: ['contact_form'], field: 'assigned', by: 1 },
      { kind: 'rules', day, dims: ['named_company'], field: 'assigned', by: 1 },
      { kind: 'speed', day, dims: ['emea'], field: 'to_email_1m', by: 1 },
      { kind: 'load', day, dims: ['emea', 'kim'], field: 'assigned', by: 1 },
    ]);
    // Apart from the load (an item per rep, as before): the pack, the team's speed, and the item written before packing.
    const items = (await scanWholeTable(db, table)).filter((item) => /^INSIGHT#(daily|rules|calibration|speed)#2032-05$/.test(String(item.pk)));
    expect(items.map((item) => item.pk).sort()).toEqual(['INSIGHT#daily#2032-05', 'INSIGHT#rules#2032-05', 'INSIGHT#speed#2032-05']);
    const pack = items.find((item) => item.itemType === 'counter_pack') ?? {};
    expect(Object.keys(pack).filter((name) => name.startsWith('n_'))).toHaveLength(4);
    expect(assigned(await counters.read('rules', day, day))).toEqual({
      [`${day} corporate_email`]: 1,
      [`${day} contact_form`]: 5,
      [`${day} named_company`]: 1,
    });
    expect(assigned(await counters.read('calibration', day, day))).toEqual({ [`${day} 40-59`]: 1 });
    expect((await counters.read('speed', day, day)).map((row) => [row.dims, row.counts])).toEqual([[['emea'], { to_email_1m: 1 }]]);
  });

  it("keeps a day's pack under 1 KB (one write unit) with a dozen rules, every band and rule counted assigned and accepted", async () => {
    const table = await provisionTable(client!);
    const db = DynamoDBDocumentClient.from(client!);
    const day = '2032-05-20';
    const counted = (kind: 'calibration' | 'rules', values: string[]) =>
      values.flatMap((value) => ['assigned', 'accepted'].map((field) => ({ kind, day, dims: [value], field, by: 12_345 })));
    // The example configuration's rules, and more named as long, to a dozen.
    const examples = exampleConfig.scoring.rules.map((rule) => rule.id);
    const rules = [...examples, ...Array.from({ length: 12 - examples.length }, (_, i) => `${examples[i % examples.length]}_${i}`)];
    const items = counterItems([...counted('calibration', SCORE_BANDS), ...counted('rules', rules)], 7);
    expect(items).toHaveLength(1);
    const { ConsumedCapacity } = await db.send(new PutCommand({ TableName: table, Item: items[0], ReturnConsumedCapacity: 'TOTAL' }));
    expect(ConsumedCapacity?.CapacityUnits).toBe(1);
  });
});
