import { randomBytes } from 'node:crypto';

const CLAIM_LENGTH = 32;

/**
 * A submission's id names its claim (the HMAC of its Idempotency-Key, else of its content), so its
 * item, keyed by the claim, is found from the id alone; and the second it was accepted, so a post
 * with the same claim after the de-duplication window is a new submission with a new id.
 */
export const submissionIdFor = (claimId: string, at: Date): string => `sub_${claimId.slice(0, CLAIM_LENGTH)}_${Math.floor(at.getTime() / 1000).toString(36)}`;

/** The claim a submission id names (what its item is keyed by). */
export const claimOfSubmissionId = (submissionId: string): string => submissionId.slice(4, 4 + CLAIM_LENGTH);

/** An id shaped like a real one, for an answer that must look like one (a caught honeypot). */
export const decoySubmissionId = (at: Date): string => submissionIdFor(randomBytes(CLAIM_LENGTH / 2).toString('hex'), at);
