import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign } from 'node:crypto';
import { byCodeUnit } from './order';

/** Ed25519 signing from a derived seed: consent and erasure receipts anyone can check with the public key. */
export interface ReceiptSigner {
  keyId: string;
  publicKey: string;
  sign(payload: Buffer): string;
}

/** The bytes a receipt's signature covers: its fields, the signature left out, keys sorted (byCodeUnit), as JSON. */
export function signedBytes(receipt: Record<string, unknown>): Buffer {
  const { signature: _signature, ...fields } = receipt;
  return Buffer.from(JSON.stringify(Object.fromEntries(Object.entries(fields).sort(([a], [b]) => byCodeUnit(a, b)))), 'utf8');
}

/** A private key from 32 seed bytes (RFC 8410 PKCS#8 wrapping). */
function privateKeyFromSeed(seed: Buffer): KeyObject {
  const prefix = Buffer.from('302e020100300506032b657004220420', 'hex');
  return createPrivateKey({ key: Buffer.concat([prefix, seed]), format: 'der', type: 'pkcs8' });
}

const rawPublicKey = (key: KeyObject): Buffer => Buffer.from((key.export({ format: 'jwk' }) as { x: string }).x, 'base64url');

export function receiptSigner(seed: Buffer): ReceiptSigner {
  const privateKey = privateKeyFromSeed(seed);
  const publicKey = rawPublicKey(createPublicKey(privateKey)).toString('base64url');
  return {
    keyId: `ed25519:${createHash('sha256').update(publicKey).digest('hex').slice(0, 16)}`,
    publicKey,
    sign: (payload) => sign(null, payload, privateKey).toString('base64url'),
  };
}
