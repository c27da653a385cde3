import * as z from 'zod/mini';

/** A lead's id: the HMAC-SHA-256 of its normalized email address, in hex. */
export const LEAD_ID = /^[0-9a-f]{64}$/;

/** The fields every queue message starts with: its type, version 1, and its lead's id. */
export const queueMessageHeader = <T extends string>(type: T) => ({
  type: z.literal(type),
  version: z.literal(1),
  leadId: z.string().check(z.regex(LEAD_ID)),
});
