import type { CounterIncrement, CounterKind, CounterRow, InsightCounters } from '../../shared/domain/insight/counters';
import type { Assignment, ConsentEvent, Lead } from '../../shared/domain/core/lead';
import type {
  LeadRepository,
  OutgoingEmail,
  StoredSubmission,
  SubmissionState,
  SubmissionStore,
  RoutingMessage,
  RoutingQueue,
  StoredLead,
  AddOutcome,
  AdmissionFindings,
  RunMark,
  SweepEntry,
} from '../../shared/domain/core/ports';
import { isExpired } from '../../shared/domain/core/retention';
import { nurtureTickDueAt, routingSweepDueAt, slaSweepDueAt } from '../../shared/domain/core/due-times';
import { claimOfSubmissionId } from '../../shared/domain/capture/submission-id';

const isDue = (due: Date | undefined, now: Date) => due !== undefined && due <= now;
import type { Growth, RateLimiter } from '../../shared/domain/capture/rate-limits';
import type { BreakerState, UnverifiedMailStats } from '../../shared/domain/screening/stranger-mail';
import type { PendingEvent } from '../../shared/domain/destinations/pending-event';
import type { BudgetLedger, BudgetRelease } from '../../shared/domain/insight/privacy-budget';
import { ExampleMailDomains } from '../../shared/adapters/mail-domains';

/** Port fakes for unit tests of the domain; integration tests use the real adapters and emulators. */
export class InMemoryLeads implements LeadRepository {
  readonly items = new Map<string, StoredLead>();
  readonly eventItems = new Map<string, ConsentEvent>();
  /** Called before each save, to simulate a concurrent writer. */
  beforeSave?: () => void;

  async get(leadId: string, now: Date) {
    const stored = this.items.get(leadId);
    return stored && !isExpired(stored.lead.expiresAt, now) ? structuredClone(stored) : undefined;
  }

  async save(lead: Lead, expectedVersion: number | undefined, now: Date, outbox?: readonly PendingEvent[]) {
    this.beforeSave?.();
    const current = this.items.get(lead.leadId);
    const live = current && !isExpired(current.lead.expiresAt, now) ? current : undefined;
    if (live?.version !== expectedVersion) return false;
    this.items.set(lead.leadId, {
      lead: structuredClone(lead),
      version: (expectedVersion ?? 0) + 1,
      ...(outbox?.length ? { outbox: structuredClone([...outbox]) } : {}),
    });
    return true;
  }

  async clearOutbox(leadId: string, savedVersion: number) {
    const stored = this.items.get(leadId);
    if (stored?.version !== savedVersion) return false;
    delete stored.outbox;
    return true;
  }

  async appendEvents(events: readonly ConsentEvent[]) {
    for (const event of events) this.eventItems.set(`${event.leadId}#${event.at}#${event.submissionId}#${event.purpose}`, event);
  }

  async events(leadId: string, now: Date) {
    return [...this.eventItems.values()].filter((e) => e.leadId === leadId && !isExpired(e.expiresAt, now)).sort((a, b) => a.at.localeCompare(b.at));
  }

  async markNotified(leadId: string, assignment: Assignment, at: Date) {
    const stored = this.items.get(leadId);
    const current = stored?.lead.assignment;
    if (!stored || !current || current.generation !== assignment.generation || current.notifiedAt) return false;
    current.notifiedAt = at.toISOString();
    delete current.notifyFailedAt;
    stored.version++;
    return true;
  }

  async unmarkNotified(leadId: string, assignment: Assignment, at: Date) {
    const stored = this.items.get(leadId);
    if (stored?.lead.assignment?.generation === assignment.generation) {
      delete stored.lead.assignment.notifiedAt;
      stored.lead.assignment.notifyFailedAt = at.toISOString();
      stored.version++;
    }
  }

  async findNurtureDue(now: Date) {
    return [...this.items.values()]
      .filter(({ lead }) => isDue(nurtureTickDueAt(lead.nurture), now))
      .map(({ lead }) => ({ leadId: lead.leadId, dueAt: nurtureTickDueAt(lead.nurture) as Date }));
  }

  async findSlaDue(now: Date) {
    return [...this.items.values()].filter(({ lead }) => isDue(slaSweepDueAt(lead.assignment), now)).map(({ lead }) => lead.leadId);
  }
}

/** Keyed like the table: by person and claim (the claim a submission id names). */
export class InMemorySubmissions implements SubmissionStore {
  readonly items = new Map<string, StoredSubmission & { dueAt?: Date | undefined }>();

  private key(leadId: string, submissionId: string) {
    return `${leadId}#${claimOfSubmissionId(submissionId)}`;
  }

  private live(leadId: string, submissionId: string) {
    const item = this.items.get(this.key(leadId, submissionId));
    return item?.submissionId === submissionId ? item : undefined;
  }

  async add(stored: StoredSubmission, now: Date): Promise<AddOutcome> {
    const key = this.key(stored.leadId, stored.submissionId);
    const existing = this.items.get(key);
    const seconds = Math.floor(now.getTime() / 1000);
    const free = !existing || existing.expiresAt <= seconds || (existing.dedupUntil <= seconds && ['merged', 'discarded'].includes(existing.state));
    if (!free && stored.attempt !== undefined && existing.attempt === stored.attempt) return { created: true };
    if (!free) {
      const { dueAt: _due, ...held } = structuredClone(existing);
      return { created: false, existing: held };
    }
    this.items.set(key, structuredClone(stored));
    return { created: true };
  }

  async remove(leadId: string, submissionId: string) {
    const item = this.live(leadId, submissionId);
    if (item && item.dueAt === undefined) this.items.delete(this.key(leadId, submissionId));
  }

  async enterRoutingSweep({ leadId, submissionId, at }: StoredSubmission, admission: AdmissionFindings): Promise<SweepEntry> {
    const item = this.live(leadId, submissionId);
    if (!item) return 'gone';
    if (item.state !== 'pending') return 'settled';
    item.admission = structuredClone(admission);
    item.dueAt = routingSweepDueAt('pending', new Date(at));
    return 'entered';
  }

  async get(leadId: string, submissionId: string, now: Date) {
    const item = this.live(leadId, submissionId);
    if (!item?.submission || isExpired(item.expiresAt, now)) return undefined;
    const { dueAt: _due, ...stored } = structuredClone(item);
    return stored;
  }

  async unmerged(leadId: string, now: Date) {
    return [...this.items.values()]
      .filter((s) => s.leadId === leadId && !isExpired(s.expiresAt, now) && ['pending', 'held', 'released'].includes(s.state))
      .map(({ dueAt: _due, ...s }) => structuredClone(s))
      .sort((a, b) => a.at.localeCompare(b.at));
  }

  async transition(leadId: string, submissionId: string, from: SubmissionState, to: SubmissionState, now: Date, held?: { reasons: string[]; at: string }) {
    const item = this.live(leadId, submissionId);
    if (!item || item.state !== from) return false;
    item.state = to;
    if (held) item.held = held;
    item.dueAt = routingSweepDueAt(to, now);
    if (to === 'merged' || to === 'discarded') {
      delete item.submission;
      delete item.admission;
      item.expiresAt = item.dedupUntil;
    }
    return true;
  }

  async findHeld(after: Date, until: Date, now: Date) {
    const seconds = (date: Date | string) => Math.floor(new Date(date).getTime() / 1000);
    return [...this.items.values()]
      .filter(
        (s) => s.state === 'held' && s.held && seconds(s.held.at) > seconds(after) && seconds(s.held.at) <= seconds(until) && !isExpired(s.expiresAt, now),
      )
      .map(({ dueAt: _due, ...s }) => structuredClone(s));
  }

  async findRoutingDue(now: Date) {
    return [...this.items.values()]
      .filter((s) => isDue(s.dueAt, now) && !isExpired(s.expiresAt, now) && (s.state === 'pending' || s.state === 'released'))
      .map(({ dueAt: _due, ...s }) => structuredClone(s));
  }
}

export class InMemoryRoutingQueue implements RoutingQueue {
  readonly messages: RoutingMessage[] = [];
  failNext = 0;

  async enqueue(message: RoutingMessage) {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('queue unreachable');
    }
    this.messages.push(message);
  }
}

export class ManualClock {
  constructor(public current = new Date('2026-11-23T10:00:00Z')) {}
  now = () => new Date(this.current);
  advance(seconds: number) {
    this.current = new Date(this.current.getTime() + seconds * 1000);
  }
}

export class InMemoryRotation {
  readonly counters = new Map<string, { next: number; last: string }>();
  readonly capacity = new Map<string, Set<string>>();

  async takeTurn(teamId: string, submissionId: string) {
    const counter = this.counters.get(teamId);
    if (counter?.last === submissionId) return counter.next - 1;
    const next = (counter?.next ?? 0) + 1;
    this.counters.set(teamId, { next, last: submissionId });
    return next - 1;
  }

  async claimCapacity(teamId: string, rep: string, day: string, submissionId: string, cap: number) {
    const key = `${teamId}#${rep}#${day}`;
    const set = this.capacity.get(key) ?? new Set<string>();
    if (!set.has(submissionId) && set.size >= cap) return false;
    set.add(submissionId);
    this.capacity.set(key, set);
    return true;
  }
}

export class RecordingMailer {
  readonly sent: OutgoingEmail[] = [];
  failNext = 0;

  async send(email: OutgoingEmail) {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('SES throttled');
    }
    this.sent.push(email);
  }
}

export class InMemorySuppressions {
  readonly items = new Map<string, Record<string, unknown>>();
  private static attribute = { unsubscribed: 'unsubscribedAt', bounced: 'bouncedAt', complained: 'complainedAt', erased: 'erasedAt' } as const;

  async get(leadId: string) {
    const item = this.items.get(leadId);
    return item ? ({ leadId, ...item } as never) : undefined;
  }

  async add(leadId: string, reason: keyof typeof InMemorySuppressions.attribute, at: Date) {
    const item = this.items.get(leadId) ?? {};
    item[InMemorySuppressions.attribute[reason]] ??= at.toISOString();
    this.items.set(leadId, item);
  }

  async lift(leadId: string, reasons: readonly (keyof typeof InMemorySuppressions.attribute)[]) {
    const item = this.items.get(leadId);
    for (const reason of reasons) delete item?.[InMemorySuppressions.attribute[reason]];
  }

  async countSoftBounce(leadId: string) {
    const item = this.items.get(leadId) ?? {};
    item.softBounces = ((item.softBounces as number) ?? 0) + 1;
    this.items.set(leadId, item);
  }
}

export class InMemoryRateLimiter implements RateLimiter {
  readonly windows = new Map<string, Record<string, number>>();

  readonly sets = new Map<string, Set<string>>();

  async hit(key: string, windowSeconds: number, counters: readonly string[], now: Date, growth?: Growth) {
    const seconds = Math.floor(now.getTime() / 1000);
    const id = `${key}#${seconds - (seconds % windowSeconds)}`;
    const window = this.windows.get(id) ?? {};
    if (growth && !counters.includes(growth.whileBelow.counter))
      throw new Error(`the growth bound "${growth.whileBelow.counter}" must be one of the hit's counters`);
    // Past the bound, the growth is answered as this hit would have made it, and not recorded.
    const records = growth !== undefined && (window[growth.whileBelow.counter] ?? 0) < growth.whileBelow.limit;
    for (const counter of counters) window[counter] = (window[counter] ?? 0) + 1;
    const grown = (growth?.counters ?? []).map((counter) => {
      const n = (window[counter] ?? 0) + 1;
      if (records) window[counter] = n;
      return [counter, n];
    });
    this.windows.set(id, window);
    const sizes = Object.entries(growth?.members ?? {}).map(([set, member]) => {
      const stored = this.sets.get(`${id}#${set}`) ?? new Set<string>();
      if (records) this.sets.set(`${id}#${set}`, stored.add(member));
      return [set, new Set([...stored, member]).size];
    });
    return {
      ...Object.fromEntries(counters.map((counter) => [counter, window[counter] as number])),
      ...Object.fromEntries(grown),
      ...Object.fromEntries(sizes),
    };
  }
}

export class InMemoryUnverifiedMailStats implements UnverifiedMailStats {
  readonly counts: { kind: 'sent' | 'bounced'; at: number }[] = [];
  state: BreakerState = {};

  async count(kind: 'sent' | 'bounced', now: Date) {
    this.counts.push({ kind, at: now.getTime() });
  }

  async totals(since: Date, now: Date) {
    const inWindow = this.counts.filter((c) => c.at >= since.getTime() && c.at <= now.getTime());
    return { sent: inWindow.filter((c) => c.kind === 'sent').length, bounced: inWindow.filter((c) => c.kind === 'bounced').length };
  }

  async breaker() {
    return { ...this.state };
  }

  async setBreaker(state: BreakerState) {
    this.state = { ...state };
  }
}

/** The stranger-mail parts of the domain's dependencies, in memory (the local resolver double for domains). */
export const inMemoryStrangerMail = () => ({
  rateLimiter: new InMemoryRateLimiter(),
  mailDomains: new ExampleMailDomains(),
  mailStats: new InMemoryUnverifiedMailStats(),
});

/** The privacy budget ledger, in memory: the same contract as the DynamoDB one (test/integration/privacy-budget.test.ts). */
export class InMemoryBudgetLedger implements BudgetLedger {
  private readonly periods = new Map<string, { spentMicro: number; releases: BudgetRelease[] }>();

  async spend(period: string, release: BudgetRelease, budgetMicro: number) {
    const current = this.periods.get(period) ?? { spentMicro: 0, releases: [] };
    if (current.spentMicro + release.microEpsilon > budgetMicro) return false;
    this.periods.set(period, { spentMicro: current.spentMicro + release.microEpsilon, releases: [...current.releases, release] });
    return true;
  }

  async ledger(period: string) {
    return structuredClone(this.periods.get(period) ?? { spentMicro: 0, releases: [] });
  }
}

/** Report counters in memory: the same contract as the DynamoDB ones (test/integration/repository-contract.test.ts). */
export class InMemoryCounters implements InsightCounters {
  private readonly counters = new Map<string, CounterRow>();

  async add(increments: readonly CounterIncrement[]) {
    for (const { kind, day, dims, field, by } of increments) {
      const id = `${kind}|${day}|${dims.join('|')}`;
      const row = this.counters.get(id) ?? { kind, day, dims: [...dims], counts: {} };
      row.counts[field] = (row.counts[field] ?? 0) + by;
      this.counters.set(id, row);
    }
  }

  async read(kind: CounterKind, fromDay: string, toDay: string) {
    return structuredClone([...this.counters.values()].filter((row) => row.kind === kind && row.day >= fromDay && row.day <= toDay));
  }
}

export class InMemoryRunMark implements RunMark {
  mark: { at: Date; noted: string[] } | undefined;
  async last() {
    return this.mark && { at: this.mark.at, noted: [...this.mark.noted] };
  }
  async advance(from: Date | undefined, to: Date, noted: readonly string[] = []) {
    if (this.mark?.at.getTime() !== from?.getTime()) return false;
    this.mark = { at: to, noted: [...noted] };
    return true;
  }
}
