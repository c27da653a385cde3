import { readAcceptToken, repTag } from './links';
import type { Keyring } from './keyring';
import type { Clock, LeadRepository } from './ports';

export type AcceptOutcome = 'accepted' | 'already_accepted' | 'superseded' | 'invalid';

/**
 * Accepts an assignment from the link in the rep's email. The link names one lead, one rep and
 * one assignment generation: once the lead has been reassigned, the old link accepts nothing.
 */
export async function acceptAssignment(
  deps: { leads: LeadRepository; keyring: Keyring; clock: Clock },
  token: string,
): Promise<AcceptOutcome> {
  const now = deps.clock.now();
  const claims = readAcceptToken(deps.keyring, token, now);
  if (!claims) return 'invalid';
  for (let attempt = 0; attempt < 5; attempt++) {
    const stored = await deps.leads.get(claims.leadId, now);
    const assignment = stored?.lead.assignment;
    if (!stored || !assignment || assignment.generation !== claims.generation || repTag(assignment.rep) !== claims.repTag) {
      return 'superseded';
    }
    if (assignment.acceptedAt) return 'already_accepted';
    const accepted = { ...stored.lead, assignment: { ...assignment, acceptedAt: now.toISOString() } };
    if (await deps.leads.save(accepted, stored.version, now)) return 'accepted';
  }
  throw new Error('lead kept changing under concurrent writes');
}
