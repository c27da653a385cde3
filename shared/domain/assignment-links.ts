import { createHash } from 'node:crypto';
import type { Keyring } from './keyring';
import { epochSeconds } from './retention';
import { signToken, verifyToken } from './signed-token';

const ACCEPT = 'accept';
/** Accept links outlive any SLA; a reassigned lead's old link stops working by generation, not by time. */
const ACCEPT_LINK_DAYS = 30;

/** A short, non-reversible tag for a rep's address, so links do not carry it. */
export const repTag = (rep: string): string => createHash('sha256').update(rep).digest('base64url').slice(0, 16);

export function acceptUrl(publicUrl: string, keyring: Keyring, leadId: string, generation: number, rep: string, now: Date): string {
  const token = signToken(keyring.tokens, {
    p: ACCEPT,
    exp: epochSeconds(now) + ACCEPT_LINK_DAYS * 86_400,
    l: leadId,
    g: generation,
    r: repTag(rep),
  });
  return `${publicUrl.replace(/\/$/, '')}/assignments/accept?t=${encodeURIComponent(token)}`;
}

export interface AcceptClaims {
  leadId: string;
  generation: number;
  repTag: string;
}

export function readAcceptToken(keyring: Keyring, token: string, now: Date): AcceptClaims | undefined {
  const claims = verifyToken(keyring.tokens, token, ACCEPT, now);
  if (!claims || typeof claims.l !== 'string' || typeof claims.g !== 'number' || typeof claims.r !== 'string') return undefined;
  return { leadId: claims.l, generation: claims.g, repTag: claims.r };
}
