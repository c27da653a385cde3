import type { LeadEraser } from './privacy';
import type { Keyring } from './keyring';
import type { Clock, LeadRepository, RoutingQueue } from './ports';
import { routingMessage } from './routing-message';
import type { SuppressionList } from './suppression';

export interface QuarantineDeps {
  leads: LeadRepository;
  routing: RoutingQueue;
  eraser: LeadEraser;
  suppressions: SuppressionList;
  keyring: Keyring;
  clock: Clock;
}

/** Releases a held submission: it goes through routing again, unscreened, as if it had passed. */
export async function releaseQuarantine(deps: QuarantineDeps, leadId: string): Promise<boolean> {
  const now = deps.clock.now();
  for (let attempt = 1; attempt <= 5; attempt++) {
    const stored = await deps.leads.get(leadId, now);
    const held = stored?.lead.quarantine;
    if (!stored || !held) return false;
    const { quarantine: _held, ...lead } = stored.lead;
    const routedSubmissions = (lead.routedSubmissions ?? []).filter((id) => id !== held.submissionId);
    if (!(await deps.leads.save({ ...lead, routedSubmissions }, stored.version, now))) continue;
    const submission = lead.submissions.find((s) => s.submissionId === held.submissionId);
    const record = { submissionId: held.submissionId, formId: submission?.formId ?? '', at: submission?.at ?? now.toISOString() };
    await deps.routing.enqueue({ ...routingMessage(leadId, record), released: true });
    return true;
  }
  throw new Error('lead kept changing under concurrent writes');
}

/**
 * Discards a held submission. A lead that has nothing but it is erased; otherwise the hold is
 * dropped and the submission stays routed-and-ignored, so it never reaches sales or nurture.
 */
export async function discardQuarantine(deps: QuarantineDeps, leadId: string): Promise<boolean> {
  const now = deps.clock.now();
  for (let attempt = 1; attempt <= 5; attempt++) {
    const stored = await deps.leads.get(leadId, now);
    const held = stored?.lead.quarantine;
    if (!stored || !held) return false;
    if (stored.lead.submissions.every((s) => s.submissionId === held.submissionId)) {
      await deps.eraser.erase(leadId);
      return true;
    }
    const { quarantine: _held, ...lead } = stored.lead;
    if (await deps.leads.save(lead, stored.version, now)) return true;
  }
  throw new Error('lead kept changing under concurrent writes');
}
