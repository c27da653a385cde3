import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createKeyring } from '../../shared/domain/core/keyring';
import { signToken, verifyToken } from '../../shared/domain/core/signed-token';
import { TEST_SECRET } from '../support/example-config';

const keys = createKeyring(TEST_SECRET).tokens;
const now = new Date('2026-11-23T10:00:00Z');
const exp = Math.floor(now.getTime() / 1000) + 3600;

describe('signed tokens', () => {
  it('round-trips its claims for the right purpose until it expires', () => {
    const token = signToken(keys, { p: 'accept', exp, l: 'lead' });
    expect(verifyToken(keys, token, 'accept', now)).toEqual({ p: 'accept', exp, l: 'lead' });
    expect(verifyToken(keys, token, 'unsubscribe', now)).toBeUndefined();
    expect(verifyToken(keys, token, 'accept', new Date((exp + 1) * 1000))).toBeUndefined();
  });

  it('rejects a token signed with another secret', () => {
    const other = createKeyring(`${TEST_SECRET}-other`).tokens;
    expect(verifyToken(keys, signToken(other, { p: 'accept', exp }), 'accept', now)).toBeUndefined();
  });

  it('property: changing any one character of a token makes it invalid', () => {
    const token = signToken(keys, { p: 'accept', exp, l: 'lead-1', g: 2 });
    fc.assert(
      fc.property(fc.nat(token.length - 1), fc.constantFrom(...'ABCxyz019-_.'), (index, char) => {
        fc.pre(token[index] !== char);
        const altered = token.slice(0, index) + char + token.slice(index + 1);
        // base64url's last character can carry unused bits; decoding may map it back to the same bytes.
        const sameBytes = (t: string) =>
          t
            .split('.')
            .map((part) => Buffer.from(part, 'base64url').toString('hex'))
            .join('.');
        fc.pre(sameBytes(altered) !== sameBytes(token));
        expect(verifyToken(keys, altered, 'accept', now)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });
});
