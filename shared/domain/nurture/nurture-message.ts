import * as z from 'zod/mini';
import type { NurtureMessage } from '../core/ports';

const nurtureMessageSchema = z.object({
  type: z.literal('nurture.step'),
  version: z.literal(1),
  leadId: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  sequence: z.string().check(z.minLength(1), z.maxLength(64)),
  step: z.int().check(z.gte(0), z.lte(1000)),
});

/** Validates an email queue message body; a malformed one throws, so it ends in the dead-letter queue. */
export function parseNurtureMessage(body: string): NurtureMessage {
  return nurtureMessageSchema.parse(JSON.parse(body));
}
