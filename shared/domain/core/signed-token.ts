import { createHmac, type KeyObject, timingSafeEqual } from 'node:crypto';
import { epochSeconds } from './retention';

/**
 * Compact signed tokens for links in emails: `<kid>.<payload>.<signature>`, base64url. The key id
 * lets keys rotate: verification accepts every key still listed, signing uses the first.
 * A token names its purpose, so an accept link can never be replayed as another kind of link.
 */
export interface TokenKeys {
  /** Key ids to keys; the first entry signs. */
  readonly keys: ReadonlyMap<string, KeyObject>;
}

export interface TokenClaims {
  /** What the token is for, e.g. "accept". */
  p: string;
  /** Expiry, epoch seconds. */
  exp: number;
  [claim: string]: string | number;
}

const encode = (data: Buffer | string) => Buffer.from(data).toString('base64url');

function signature(key: KeyObject, kid: string, body: string): Buffer {
  return createHmac('sha256', key).update(`${kid}.${body}`).digest();
}

export function signToken(keys: TokenKeys, claims: TokenClaims): string {
  const [kid, key] = keys.keys.entries().next().value as [string, KeyObject];
  const body = encode(JSON.stringify(claims));
  return `${kid}.${body}.${encode(signature(key, kid, body))}`;
}

/** What a link's token is: ours and current, ours but past its expiry, or not ours (damaged, forged, another purpose). */
export type TokenCheck = { status: 'valid'; claims: TokenClaims } | { status: 'expired' } | { status: 'forged' };

export function inspectToken(keys: TokenKeys, token: string, purpose: string, now: Date): TokenCheck {
  const forged = { status: 'forged' } as const;
  if (token.length > 2048) return forged;
  const [kid, body, sig, ...rest] = token.split('.');
  if (!kid || !body || !sig || rest.length) return forged;
  const key = keys.keys.get(kid);
  if (!key) return forged;
  const expected = signature(key, kid, body);
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return forged;
  try {
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenClaims;
    if (claims.p !== purpose || typeof claims.exp !== 'number') return forged;
    return claims.exp <= epochSeconds(now) ? { status: 'expired' } : { status: 'valid', claims };
  } catch {
    return forged;
  }
}

/** The claims of a genuine, unexpired token for `purpose`; undefined for anything else. */
export function verifyToken(keys: TokenKeys, token: string, purpose: string, now: Date): TokenClaims | undefined {
  const check = inspectToken(keys, token, purpose, now);
  return check.status === 'valid' ? check.claims : undefined;
}
