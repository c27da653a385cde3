import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynamoDb, startDynamoDbLocal, type Emulator } from '../../infra/local/emulators';
import { provisionTable } from '../../infra/local/provision';
import { DynamoLeadRepository } from '../../shared/adapters/dynamo-lead-repository';
import { DynamoRateLimiter } from '../../shared/adapters/dynamo-rate-limiter';
import { DynamoRenderTokenLedger } from '../../shared/adapters/dynamo-render-token-ledger';
import { DynamoRotationStore } from '../../shared/adapters/dynamo-rotation-store';
import { DynamoSubmissionClaims } from '../../shared/adapters/dynamo-submission-claims';
import { DynamoSubmissionStore } from '../../shared/adapters/dynamo-submission-store';
import { DynamoSuppressionList } from '../../shared/adapters/dynamo-suppression-list';
import { REQUEUE_AFTER_MS } from '../../shared/domain/nurture/nurture';
import type { Assignment, ConsentEvent, Lead } from '../../shared/domain/core/lead';
import type { LeadRepository, RotationStore, StoredSubmission, SubmissionClaims, SubmissionStore } from '../../shared/domain/core/ports';
import type { RateLimiter, RenderTokenLedger } from '../../shared/domain/capture/rate-limits';
import { ROUTING_GRACE_MS } from '../../shared/domain/routing/routing-sweep';
import type { SuppressionList } from '../../shared/domain/nurture/suppression';
import {
  InMemoryClaims,
  InMemoryLeads,
  InMemoryRateLimiter,
  InMemoryRenderTokens,
  InMemoryRotation,
  InMemorySubmissions,
  InMemorySuppressions,
  ManualClock,
} from '../support/in-memory-ports';

/**
 * One contract for each repository port, run against the in-memory fakes the unit tests use and
 * the DynamoDB adapters (dynalite, or DynamoDB Local with LEADGATE_DYNAMODB=dynamodb-local): the
 * fakes may not answer differently from what they stand in for.
 */
interface Repositories {
  leads: LeadRepository;
  submissions: SubmissionStore;
  claims: SubmissionClaims;
  rotation: RotationStore;
  suppressions: SuppressionList;
  rateLimiter: RateLimiter;
  renderTokens: RenderTokenLedger;
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
      claims: new InMemoryClaims(),
      rotation: new InMemoryRotation(),
      suppressions: new InMemorySuppressions() as unknown as SuppressionList,
      rateLimiter: new InMemoryRateLimiter(),
      renderTokens: new InMemoryRenderTokens(),
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
        claims: new DynamoSubmissionClaims(db, table),
        rotation: new DynamoRotationStore(db, table, new ManualClock(T0)),
        suppressions: new DynamoSuppressionList(db, table),
        rateLimiter: new DynamoRateLimiter(db, table),
        renderTokens: new DynamoRenderTokenLedger(db, table),
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

function submission(leadId: string, submissionId: string, seconds: number): StoredSubmission {
  return { leadId, submissionId, formId: 'contact', at: at(seconds).toISOString(), state: 'pending', expiresAt: epoch(T0) + YEAR };
}

describe.each(implementations)('repository contract: %s', (_name, make) => {
  let repos: Repositories;
  beforeAll(async () => {
    repos = await make();
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

    it('treats a lead past its expiresAt as absent, and lets a new one take its place', async () => {
      const leadId = id('lead');
      await repos.leads.save(lead(leadId, { expiresAt: epoch(at(10)) }), undefined, at(0));
      expect(await repos.leads.get(leadId, at(9))).toBeDefined();
      expect(await repos.leads.get(leadId, at(10))).toBeUndefined();
      expect(await repos.leads.save(lead(leadId), undefined, at(11))).toBe(true);
    });

    it('keeps each event once and lists the live ones', async () => {
      const leadId = id('lead');
      const event = (purpose: string, expiresAt: number): ConsentEvent => ({
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
        expiresAt,
      });
      const live = event('sales_contact', epoch(T0) + YEAR);
      await repos.leads.appendEvents([live, event('marketing_email', epoch(at(5)))]);
      await repos.leads.appendEvents([live]);
      expect(await repos.leads.events(leadId, at(10))).toEqual([live]);
    });

    it('lists an assignment for the SLA sweep at once while unsent, at its deadline once sent, never once accepted', async () => {
      const leadId = id('lead');
      const assigned = assignment();
      await repos.leads.save(lead(leadId, { assignment: assigned }), undefined, at(0));
      expect(await repos.leads.findSlaDue(at(0))).toContain(leadId);

      expect(await repos.leads.markNotified(leadId, assigned, at(1))).toBe(true);
      expect(await repos.leads.markNotified(leadId, assigned, at(1))).toBe(false);
      expect(await repos.leads.markNotified(leadId, { ...assigned, generation: 2 }, at(1))).toBe(false);
      expect(await repos.leads.findSlaDue(at(3599))).not.toContain(leadId);
      expect(await repos.leads.findSlaDue(at(3600))).toContain(leadId);

      await repos.leads.unmarkNotified(leadId, assigned);
      expect(await repos.leads.findSlaDue(at(1))).toContain(leadId);
      expect((await repos.leads.get(leadId, at(1)))?.lead.assignment?.notifiedAt).toBeUndefined();

      const stored = await repos.leads.get(leadId, at(2));
      await repos.leads.save(lead(leadId, { assignment: { ...assigned, acceptedAt: at(2).toISOString() } }), stored!.version, at(2));
      expect(await repos.leads.findSlaDue(at(100_000))).not.toContain(leadId);
    });

    it('lists a lead for the nurture tick when its step is due, or when a queued step was never sent', async () => {
      const leadId = id('lead');
      const nurture = {
        sequence: 'welcome',
        enrolledAt: at(0).toISOString(),
        nextStep: 0,
        nextDueAt: at(60).toISOString(),
        status: 'active' as const,
        sent: [],
      };
      await repos.leads.save(lead(leadId, { nurture }), undefined, at(0));
      expect(await repos.leads.findNurtureDue(at(59))).not.toContain(leadId);
      expect(await repos.leads.findNurtureDue(at(60))).toContain(leadId);

      const queued = await repos.leads.get(leadId, at(61));
      await repos.leads.save(lead(leadId, { nurture: { ...nurture, enqueuedAt: at(61).toISOString() } }), queued!.version, at(61));
      expect(await repos.leads.findNurtureDue(at(61 + REQUEUE_AFTER_MS / 1000 - 1))).not.toContain(leadId);
      expect(await repos.leads.findNurtureDue(at(61 + REQUEUE_AFTER_MS / 1000))).toContain(leadId);

      const stopped = await repos.leads.get(leadId, at(62));
      await repos.leads.save(lead(leadId, { nurture: { ...nurture, status: 'stopped' } }), stopped!.version, at(62));
      expect(await repos.leads.findNurtureDue(at(100_000))).not.toContain(leadId);
    });
  });

  describe('SubmissionStore', () => {
    it('stores a submission once and lists the unmerged ones oldest first', async () => {
      const leadId = id('lead');
      await repos.submissions.add(submission(leadId, 'b', 20));
      await repos.submissions.add(submission(leadId, 'a', 10));
      await repos.submissions.add({ ...submission(leadId, 'a', 10), formId: 'changed' });
      expect(await repos.submissions.get(leadId, 'a', at(30))).toEqual(submission(leadId, 'a', 10));
      expect((await repos.submissions.unmerged(leadId, at(30))).map((s) => s.submissionId)).toEqual(['a', 'b']);
    });

    it('moves a submission between states in one conditional step each', async () => {
      const leadId = id('lead');
      await repos.submissions.add(submission(leadId, 's', 0));
      const held = { reasons: ['ip_burst'], at: at(1).toISOString() };
      expect(await repos.submissions.transition(leadId, 's', 'pending', 'held', at(1), held)).toBe(true);
      expect(await repos.submissions.transition(leadId, 's', 'pending', 'held', at(1), held)).toBe(false);
      expect((await repos.submissions.get(leadId, 's', at(2)))?.held).toEqual(held);
      expect(await repos.submissions.transition(leadId, 's', 'held', 'released', at(3))).toBe(true);
      expect(await repos.submissions.transition(leadId, 's', 'released', 'merged', at(4))).toBe(true);
      // Merged: nothing personal kept, and it reads as gone.
      expect(await repos.submissions.get(leadId, 's', at(4))).toBeUndefined();
      expect(await repos.submissions.unmerged(leadId, at(4))).toEqual([]);
    });

    it('lists pending and released submissions for the routing sweep after the grace period, never held ones', async () => {
      const leadId = id('lead');
      const grace = ROUTING_GRACE_MS / 1000;
      const dueIds = async (seconds: number) =>
        (await repos.submissions.findRoutingDue(at(seconds)))
          .filter((s) => s.leadId === leadId)
          .map((s) => s.submissionId)
          .sort();
      await repos.submissions.add(submission(leadId, 'pending', 0));
      await repos.submissions.add(submission(leadId, 'held', 0));
      await repos.submissions.transition(leadId, 'held', 'pending', 'held', at(0), { reasons: ['x'], at: at(0).toISOString() });
      expect(await dueIds(grace - 1)).toEqual([]);
      expect(await dueIds(grace)).toEqual(['pending']);

      await repos.submissions.transition(leadId, 'held', 'held', 'released', at(100));
      expect(await dueIds(100 + grace - 1)).toEqual(['pending']);
      expect(await dueIds(100 + grace)).toEqual(['held', 'pending']);

      await repos.submissions.transition(leadId, 'pending', 'pending', 'merged', at(200));
      expect(await dueIds(10_000)).toEqual(['held']);
    });
  });

  describe('SubmissionClaims', () => {
    it('claims an id once while the claim lives; complete and reopen change its state', async () => {
      const claimId = id('claim');
      const claim = { claimId, fingerprint: 'f', submissionId: 's', at: at(0).toISOString(), state: 'pending' as const, expiresAt: epoch(at(600)) };
      expect(await repos.claims.claim(claim, at(0))).toEqual({ created: true });
      expect(await repos.claims.claim({ ...claim, submissionId: 'other' }, at(1))).toEqual({ created: false, existing: claim });
      await repos.claims.complete(claimId);
      expect(await repos.claims.claim(claim, at(2))).toEqual({ created: false, existing: { ...claim, state: 'done' } });
      await repos.claims.reopen(claimId);
      expect(await repos.claims.claim(claim, at(3))).toEqual({ created: false, existing: claim });
      // Past its expiresAt the id is free again.
      expect(await repos.claims.claim({ ...claim, submissionId: 'later' }, at(600))).toEqual({ created: true });
    });
  });

  describe('RotationStore', () => {
    it('gives each submission its own turn, the same one when it asks again, and caps a rep per day', async () => {
      const team = id('team');
      const first = await repos.rotation.takeTurn(team, 'a');
      const second = await repos.rotation.takeTurn(team, 'b');
      expect(second).toBe(first + 1);
      expect(await repos.rotation.takeTurn(team, 'a')).toBe(first);
      const turns = await Promise.all(['c', 'd', 'e', 'f'].map((s) => repos.rotation.takeTurn(team, s)));
      expect(new Set(turns).size).toBe(4);

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

  describe('RateLimiter and RenderTokenLedger', () => {
    it('counts hits per counter in fixed windows', async () => {
      const key = id('ip');
      expect(await repos.rateLimiter.hit(key, 3600, ['minute', 'hour'], at(0))).toEqual({ minute: 1, hour: 1 });
      expect(await repos.rateLimiter.hit(key, 3600, ['hour'], at(10))).toEqual({ hour: 2 });
      // T0 is on the hour: the next window starts afresh.
      expect(await repos.rateLimiter.hit(key, 3600, ['hour'], at(3600))).toEqual({ hour: 1 });
    });

    it('lets a render token carry its allowance of distinct submissions, a retry of one counting once', async () => {
      const token = id('token');
      const expiresAt = epoch(at(3600));
      expect(await repos.renderTokens.use(token, 'a', 1, expiresAt)).toBe(true);
      expect(await repos.renderTokens.use(token, 'a', 1, expiresAt)).toBe(true);
      expect(await repos.renderTokens.use(token, 'b', 1, expiresAt)).toBe(false);
    });
  });
});
