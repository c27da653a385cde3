import { readAcceptToken, repTag } from '../core/links';
import type { Keyring } from '../core/keyring';
import { updateLead } from '../core/lead-update';
import type { Clock, LeadRepository } from '../core/ports';
import { leadDisplayName } from '../core/lead';

export type AcceptOutcome = 'accepted' | 'already_accepted' | 'superseded' | 'invalid';

/**
 * Accepts an assignment from the link in the rep's email. The link names one lead, one rep and
 * one assignment generation: once the lead has been reassigned, the old link accepts nothing.
 */
export async function acceptAssignment(deps: { leads: LeadRepository; keyring: Keyring; clock: Clock }, token: string): Promise<AcceptOutcome> {
  const now = deps.clock.now();
  const claims = readAcceptToken(deps.keyring, token, now);
  if (!claims) return 'invalid';
  return updateLead<AcceptOutcome>(deps.leads, claims.leadId, now, (stored) => {
    const assignment = stored?.lead.assignment;
    if (!stored || !assignment || assignment.generation !== claims.generation || repTag(assignment.rep) !== claims.repTag) {
      return { result: 'superseded' };
    }
    if (assignment.acceptedAt) return { result: 'already_accepted' };
    return { result: 'accepted', save: { ...stored.lead, assignment: { ...assignment, acceptedAt: now.toISOString() } } };
  });
}

export type AcceptPreview =
  | { status: 'open'; lead: string; formId: string | undefined; assignedAt: string }
  | { status: 'superseded' | 'already_accepted' | 'invalid' };

/** What an accept link's page shows before its button is pressed: which lead, or why it no longer applies. Changes nothing. */
export async function previewAssignment(deps: { leads: LeadRepository; keyring: Keyring; clock: Clock }, token: string): Promise<AcceptPreview> {
  const now = deps.clock.now();
  const claims = readAcceptToken(deps.keyring, token, now);
  if (!claims) return { status: 'invalid' };
  const stored = await deps.leads.get(claims.leadId, now);
  const assignment = stored?.lead.assignment;
  if (!stored || !assignment || assignment.generation !== claims.generation || repTag(assignment.rep) !== claims.repTag) return { status: 'superseded' };
  if (assignment.acceptedAt) return { status: 'already_accepted' };
  const formId = stored.lead.submissions.find((s) => s.submissionId === assignment.submissionId)?.formId;
  return { status: 'open', lead: leadDisplayName(stored.lead), formId, assignedAt: assignment.assignedAt };
}
