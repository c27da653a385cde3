import * as c from '../shared/adapters/components';
import { createLogger } from '../shared/adapters/logger';
import { privacyEmails } from '../shared/email/privacy-emails';
import { createPrivacyHandler } from '../shared/http/privacy-handler';

const humanVerifier = await c.humanVerifier();

/** Privacy requests: the only function allowed to delete lead data. */
export const handler = createPrivacyHandler(
  {
    ...(await c.strangerMail()),
    keyring: await c.signingKeyring(),
    leads: c.leads(),
    submissions: c.submissions(),
    suppressions: c.suppressions(),
    requests: c.privacyRequests(),
    eraser: c.eraser(),
    notices: c.erasureNotices(),
    ...(Object.keys(c.settings().destinations).length ? { publisher: c.eventPublisher() } : {}),
    counting: { counters: c.counters(), insight: c.settings().insight },
    privacyEmails: privacyEmails(c.settings(), c.publicUrl()),
    clock: c.clock,
    publicUrl: c.publicUrl(),
    ...(humanVerifier ? { humanVerifier } : {}),
  },
  createLogger(),
);
