/** Key layout of the single table (design §4). Only this file spells out key formats. */
export const leadKey = (leadId: string) => ({ pk: `LEAD#${leadId}`, sk: 'LEAD' });
export const leadIdOfKey = (pk: string) => pk.slice('LEAD#'.length);

export const submissionKey = (leadId: string, submissionId: string) => ({ pk: `LEAD#${leadId}`, sk: `SUB#${submissionId}` });
export const SUBMISSION_PREFIX = 'SUB#';
export const submissionIdOfKey = (sk: string) => sk.slice(SUBMISSION_PREFIX.length);

export const eventKey = (leadId: string, at: string, id: string) => ({ pk: `LEAD#${leadId}`, sk: `EVENT#${at}#${id}` });

export const claimKey = (claimId: string) => ({ pk: `CLAIM#${claimId}`, sk: 'CLAIM' });

/** Counters of one key (a client IP's HMAC, an address's) in one fixed window. */
export const rateKey = (key: string, window: number) => ({ pk: `RATE#${key}`, sk: String(window) });
/** The submissions a render token carried (by content fingerprint), until the token expires. */
export const renderTokenKey = (tokenId: string) => ({ pk: `RENDER#${tokenId}`, sk: 'RENDER' });


/** Sparse index of assignments awaiting the SLA sweep (see DynamoLeadRepository). */
export const SLA_INDEX = 'bySlaDue';
export const SLA_PARTITION = 'SLA';
/** Sparse index of stored submissions the routing consumer has not finished (pending or released). */
export const ROUTING_INDEX = 'byRoutingDue';
export const ROUTING_PARTITION = 'ROUTING';
/** Sparse index of leads with a nurture step due. */
export const NURTURE_INDEX = 'byNurtureDue';
export const NURTURE_PARTITION = 'NURTURE';

export const suppressionKey = (leadId: string) => ({ pk: `SUPPRESS#${leadId}`, sk: 'SUPPRESS' });

const ROTATION = (teamId: string) => `ROTATION#${teamId}`;
export const rotationCounterKey = (teamId: string) => ({ pk: ROTATION(teamId), sk: 'COUNTER' });
export const rotationTurnKey = (teamId: string, turn: number) => ({ pk: ROTATION(teamId), sk: `TURN#${String(turn).padStart(12, '0')}` });
export const rotationSubmissionKey = (teamId: string, submissionId: string) => ({ pk: ROTATION(teamId), sk: `SUB#${submissionId}` });
export const capacityKey = (teamId: string, repTag: string, day: string) => ({ pk: `CAPACITY#${teamId}#${repTag}`, sk: day });

export const privacyRequestKey = (requestId: string) => ({ pk: `PRIVACYREQ#${requestId}`, sk: 'REQUEST' });

/** Mail to unconfirmed addresses: sent and bounced per bucket of the breaker's window, and the breaker. */
const UNVERIFIED_MAIL = 'MAILSTATS#unverified';
export const unverifiedMailBucketKey = (bucketEpoch: number) => ({ pk: UNVERIFIED_MAIL, sk: `B#${String(bucketEpoch).padStart(12, '0')}` });
export const unverifiedMailBreakerKey = () => ({ pk: UNVERIFIED_MAIL, sk: 'BREAKER' });
