import { createPublicKey, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createKeyring } from '../../shared/domain/core/keyring';
import { TEST_SECRET } from '../support/example-config';

describe('keyring', () => {
  it('makes its receipt signer once, on first use, and the signatures verify with its public key', () => {
    const keyring = createKeyring(TEST_SECRET);
    const signer = keyring.receipts;
    expect(keyring.receipts).toBe(signer);
    const payload = Buffer.from('receipt');
    const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: signer.publicKey }, format: 'jwk' });
    expect(verify(null, payload, publicKey, Buffer.from(signer.sign(payload), 'base64url'))).toBe(true);
    // The same secret, the same key: receipts signed before a cold start verify after it.
    expect(createKeyring(TEST_SECRET).receipts.publicKey).toBe(signer.publicKey);
  });
});
