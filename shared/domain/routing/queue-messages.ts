import * as z from 'zod/mini';
import type { RoutingMessage } from '../core/ports';
import { STRANGER_MAIL_REFUSALS } from '../core/lead';
import { queueMessageHeader } from '../core/queue-message-header';

const routingMessageSchema = z.object({
  ...queueMessageHeader('lead.captured'),
  submissionId: z.string().check(z.minLength(1), z.maxLength(100)),
  formId: z.string().check(z.minLength(1), z.maxLength(64)),
  capturedAt: z.string(),
  released: z.optional(z.literal(true)),
  admission: z.optional(
    z.object({
      screening: z.optional(z.array(z.string().check(z.maxLength(64))).check(z.maxLength(20))),
      mailRefusal: z.optional(z.enum(STRANGER_MAIL_REFUSALS)),
    }),
  ),
});

/** Validates a routing message body; a malformed one throws, so it ends in the dead-letter queue. */
export function parseRoutingMessage(body: string): RoutingMessage {
  return routingMessageSchema.parse(JSON.parse(body));
}
