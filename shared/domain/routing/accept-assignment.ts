import { readAcceptToken, repTag } from '../core/links';
import type { Keyring } from '../core/keyring';
import { updateLead } from '../core/lead-update';
import type { Clock, LeadRepository } from '../core/ports';

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
