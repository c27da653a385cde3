/**
 * The suppression list: addresses (as email hashes, never in clear) that must not get marketing
 * email. It is its own item, so it outlives the lead and an erasure.
 */
export type SuppressionReason = 'unsubscribed' | 'bounced' | 'complained' | 'erased';

export interface Suppression {
  leadId: string;
  unsubscribedAt?: string;
  bouncedAt?: string;
  complainedAt?: string;
  erasedAt?: string;
  softBounces?: number;
}

export interface SuppressionList {
  get(leadId: string): Promise<Suppression | undefined>;
  add(leadId: string, reason: SuppressionReason, at: Date): Promise<void>;
  /** Lifts the given reasons (fresh consent lifts an unsubscribe or a bounce, never a complaint). */
  lift(leadId: string, reasons: readonly SuppressionReason[]): Promise<void>;
  countSoftBounce(leadId: string): Promise<void>;
}

/** No marketing email at all. */
export const blocksMarketing = (s: Suppression | undefined): boolean => !!s && !!(s.unsubscribedAt || s.bouncedAt || s.complainedAt || s.erasedAt);

/** Not even a confirmation email the person just asked for: the address bounced or complained. */
export const blocksAllEmail = (s: Suppression | undefined): boolean => !!s && !!(s.bouncedAt || s.complainedAt || s.erasedAt);

/**
 * Not even a confirmation the person asks for by posting a form again: they complained, or had
 * everything erased. An unsubscribe or a bounce does not block it: the confirmation is how the
 * person (and only the person) opts back in.
 */
export const blocksConfirmation = (s: Suppression | undefined): boolean => !!s && !!(s.complainedAt || s.erasedAt);

/** Reasons a person's confirmed opt-in lifts. */
export const LIFTED_BY_FRESH_CONSENT: readonly SuppressionReason[] = ['unsubscribed', 'bounced'];
