import * as z from 'zod/mini';
import type { NurtureMessage } from '../core/ports';
import { queueMessageHeader } from '../core/queue-message-header';

const nurtureMessageSchema = z.object({
  ...queueMessageHeader('nurture.step'),
  sequence: z.string().check(z.minLength(1), z.maxLength(64)),
  step: z.int().check(z.gte(0), z.lte(1000)),
});

/** Validates an email queue message body; a malformed one throws, so it ends in the dead-letter queue. */
export function parseNurtureMessage(body: string): NurtureMessage {
  return nurtureMessageSchema.parse(JSON.parse(body));
}
