import { createHash, createPublicKey, verify } from 'node:crypto';
import { type ReceiptSigner, signedBytes } from '../core/signer';

export type { ReceiptSigner } from '../core/signer';
export { receiptSigner } from '../core/signer';
import type { ConsentEvent } from '../core/lead';

/**
 * Consent receipts: one signed JSON document per consent decision, which a person, an operator
 * or a regulator can check offline. Ed25519, so checking needs only the public key, never the
 * secret that signed it.
 */
export interface ConsentReceipt {
  receiptVersion: 1;
  receiptId: string;
  issuer: string;
  /** The person, pseudonymously: the HMAC of their email address. */
  subject: string;
  purpose: string;
  decision: ConsentEvent['type'];
  consentTextVersion: string;
  consentTextSha256: string;
  formId: string;
  submissionId: string;
  method: string;
  at: string;
  gpc: boolean;
  keyId: string;
  publicKey: string;
  signature: string;
}

export function consentReceipt(signer: ReceiptSigner, issuer: string, event: ConsentEvent): ConsentReceipt {
  const unsigned = {
    receiptVersion: 1 as const,
    receiptId: `rcpt_${createHash('sha256').update(`${event.leadId}|${event.submissionId}|${event.purpose}|${event.type}`).digest('hex').slice(0, 32)}`,
    issuer,
    subject: event.leadId,
    purpose: event.purpose,
    decision: event.type,
    consentTextVersion: event.consentTextVersion,
    consentTextSha256: event.textSha256,
    formId: event.formId,
    submissionId: event.submissionId,
    method: event.method,
    at: event.at,
    gpc: event.gpc,
    keyId: signer.keyId,
    publicKey: signer.publicKey,
  };
  return { ...unsigned, signature: signer.sign(signedBytes(unsigned)) };
}

export type ReceiptCheck = { valid: true } | { valid: false; reason: string };

/**
 * Checks a receipt's signature against its own public key and, when given, that the key is the
 * issuer's (a receipt signed by anyone else's key proves nothing).
 */
export function verifyReceipt(document: unknown, trustedPublicKey?: string): ReceiptCheck {
  if (document === null || typeof document !== 'object') return { valid: false, reason: 'not a JSON object' };
  const receipt = document as Partial<ConsentReceipt>;
  if (receipt.receiptVersion !== 1 || typeof receipt.signature !== 'string' || typeof receipt.publicKey !== 'string') {
    return { valid: false, reason: 'not a Leadgate consent receipt (version, signature or public key missing)' };
  }
  if (trustedPublicKey && receipt.publicKey !== trustedPublicKey) return { valid: false, reason: "signed with a key that is not the issuer's" };
  try {
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: receipt.publicKey }, format: 'jwk' });
    const ok = verify(null, signedBytes(receipt), key, Buffer.from(receipt.signature, 'base64url'));
    return ok ? { valid: true } : { valid: false, reason: 'the signature does not match the contents' };
  } catch {
    return { valid: false, reason: 'the public key or signature is malformed' };
  }
}
