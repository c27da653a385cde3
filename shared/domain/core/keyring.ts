import { createHmac, createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import { receiptSigner, type ReceiptSigner } from './signer';
import type { TokenKeys } from './signed-token';

/**
 * Keys derived from the one HMAC secret, each for one job, so that a value computed for one
 * purpose can never be replayed as another (an email hash is not a claim id).
 */
export interface Keyring {
  /** HMAC-SHA256 of the normalized email: the lead's identity in keys, indexes and logs. */
  emailHash(normalizedEmail: string): string;
  /** HMAC-SHA256 of a submission's identity (idempotency key or content), for de-duplication. */
  claimId(material: string): string;
  /** Keys for signed links (accept, unsubscribe, ...). */
  tokens: TokenKeys;
  /** Signs consent and erasure receipts (Ed25519: anyone can check them with the public key). */
  receipts: ReceiptSigner;
  /** A lead's reference for one destination: stable for it, useless for joining with another's. */
  leadRef(destinationId: string, leadId: string): string;
}

const derive = (secret: string, label: string): Buffer => Buffer.from(hkdfSync('sha256', secret, 'leadgate', label, 32));
/** A key object, prepared once: an HMAC over a raw Buffer key prepares the key on every call. */
const hmacKey = (secret: string, label: string): KeyObject => createSecretKey(derive(secret, label));

export function createKeyring(secret: string): Keyring {
  if (secret.length < 32) throw new Error('The HMAC secret must be at least 32 characters.');
  const emailKey = hmacKey(secret, 'email-hash/v1');
  const claimKey = hmacKey(secret, 'submission-claim/v1');
  const refKeys = new Map<string, KeyObject>();
  let signer: ReceiptSigner | undefined;
  const refKey = (destinationId: string) => {
    const key = refKeys.get(destinationId) ?? hmacKey(secret, `destination-ref/${destinationId}`);
    refKeys.set(destinationId, key);
    return key;
  };
  return {
    leadRef: (destinationId, leadId) => `lr_${createHmac('sha256', refKey(destinationId)).update(leadId, 'utf8').digest('base64url').slice(0, 32)}`,
    tokens: { keys: new Map([['k1', hmacKey(secret, 'link-token/k1')]]) },
    // Made on first use: preparing the Ed25519 key takes about 2 ms of a cold start, and only
    // capture and privacy sign receipts (they prepare it at init: components.signingKeyring).
    get receipts() {
      signer ??= receiptSigner(derive(secret, 'receipt-signing/v1'));
      return signer;
    },
    emailHash: (email) => createHmac('sha256', emailKey).update(email, 'utf8').digest('hex'),
    claimId: (material) => createHmac('sha256', claimKey).update(material, 'utf8').digest('hex'),
  };
}
