import * as c from '../shared/adapters/components';
import { createLogger } from '../shared/adapters/logger';
import { scheduledHandler } from '../shared/adapters/scheduled-handler';
import { sendReviewDigest } from '../shared/domain/screening/review-digest';
import { reviewDigestEmail } from '../shared/email/review-email';

const deps = {
  settings: c.settings(),
  submissions: c.submissions(),
  digests: c.digestLog(),
  mailer: c.mailer(),
  email: reviewDigestEmail(c.settings()),
  keyring: await c.keyring(),
  clock: c.clock,
  publicUrl: c.publicUrl(),
};

/** Scheduled: mails the reviewers a digest of newly held submissions. */
export const handler = scheduledHandler(createLogger(), 'review digest', async () => {
  const { held, sent } = await sendReviewDigest(deps);
  return { held, mailed: sent, failed: 0 };
});
