import * as z from 'zod/mini';
import { normalizeEmail } from '../core/email-address';
import { countUnverifiedBounce, UNVERIFIED_AUDIENCE_TAG, type StrangerMailDeps } from '../screening/stranger-mail';
import { suppressAndWithdraw, type UnsubscribeDeps } from './unsubscribe';

/** The parts of an SES event (event publishing, or the older notification format) we act on. */
const sesEventSchema = z.object({
  eventType: z.optional(z.string()),
  /** The sent mail; `tags` holds the message tags it was sent with (event publishing). */
  mail: z.optional(z.object({ tags: z.optional(z.record(z.string(), z.array(z.string()))) })),
  notificationType: z.optional(z.string()),
  bounce: z.optional(
    z.object({
      bounceType: z.string(),
      bouncedRecipients: z.array(z.object({ emailAddress: z.string() })),
    }),
  ),
  complaint: z.optional(z.object({ complainedRecipients: z.array(z.object({ emailAddress: z.string() })) })),
});

export interface SesEventResult {
  suppressed: number;
  softBounces: number;
  ignored: boolean;
  /** This hard bounce of mail to an unconfirmed address paused such mail (the breaker tripped). */
  pausedUnverifiedMail?: boolean;
  bounceRate?: number;
}

export type SesEventDeps = UnsubscribeDeps & Pick<StrangerMailDeps, 'mailStats'> & { settings: Pick<StrangerMailDeps['settings'], 'mailBudget'> };

const MARKETING = 'marketing_email';

/**
 * Hard bounces and complaints suppress the address (by hash) and withdraw marketing consent;
 * soft bounces are only counted. Anything else is ignored.
 */
export async function handleSesEvent(deps: SesEventDeps, payload: unknown): Promise<SesEventResult> {
  const parsed = sesEventSchema.safeParse(payload);
  const result: SesEventResult = { suppressed: 0, softBounces: 0, ignored: false };
  if (!parsed.success) return { ...result, ignored: true };
  const event = parsed.data;
  const type = event.eventType ?? event.notificationType;
  const hash = (address: string) => deps.keyring.emailHash(normalizeEmail(address));
  if (type === 'Bounce' && event.bounce) {
    const unverified = event.mail?.tags?.[UNVERIFIED_AUDIENCE_TAG.name]?.includes(UNVERIFIED_AUDIENCE_TAG.value) ?? false;
    for (const { emailAddress } of event.bounce.bouncedRecipients) {
      if (event.bounce.bounceType === 'Permanent') {
        await suppressAndWithdraw(deps, hash(emailAddress), MARKETING, 'bounced', 'hard_bounce');
        result.suppressed++;
        if (unverified) {
          const { paused, bounceRate } = await countUnverifiedBounce(deps, deps.clock.now());
          result.bounceRate = bounceRate;
          if (paused) result.pausedUnverifiedMail = true;
        }
      } else {
        await deps.suppressions.countSoftBounce(hash(emailAddress));
        result.softBounces++;
      }
    }
    return result;
  }
  if (type === 'Complaint' && event.complaint) {
    for (const { emailAddress } of event.complaint.complainedRecipients) {
      await suppressAndWithdraw(deps, hash(emailAddress), MARKETING, 'complained', 'complaint');
      result.suppressed++;
    }
    return result;
  }
  return { ...result, ignored: true };
}
