/** Key layout of the single table (design §4). Only this file spells out key formats. */
export const leadKey = (leadId: string) => ({ pk: `LEAD#${leadId}`, sk: 'LEAD' });

export const eventKey = (leadId: string, at: string, id: string) => ({ pk: `LEAD#${leadId}`, sk: `EVENT#${at}#${id}` });

export const claimKey = (claimId: string) => ({ pk: `CLAIM#${claimId}`, sk: 'CLAIM' });

export const KEY_ATTRIBUTES = ['pk', 'sk'] as const;
