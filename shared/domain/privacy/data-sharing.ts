import type { Lead } from '../core/lead';

/**
 * Global Privacy Control: a lead that sent `Sec-GPC: 1` opted out of the sale and sharing of its
 * data. Every integration that sends lead data to a third party (a CRM sync, an ad audience, a
 * webhook) must pass its leads through this filter where the data leaves. Leadgate itself sends
 * lead data only to the company's own reps and back to the person, so it has no such caller yet.
 */
export const mayShareWithThirdParties = (lead: Pick<Lead, 'doNotSellOrShare'>): boolean => !lead.doNotSellOrShare;

export const shareableLeads = <T extends Pick<Lead, 'doNotSellOrShare'>>(leads: readonly T[]): T[] => leads.filter(mayShareWithThirdParties);
