import { createLogger } from '../shared/adapters/logger';
import * as c from '../shared/adapters/components';
import { sqsBatchHandler } from '../shared/adapters/sqs-batch';
import { parseNurtureMessage } from '../shared/domain/nurture/nurture-message';
import { sendNurtureStep, type NurtureDeps } from '../shared/domain/nurture/send-nurture';
import { personEmails } from '../shared/email/person-emails';

const logger = createLogger();
const deps: NurtureDeps = {
  settings: c.settings(),
  leads: c.leads(),
  suppressions: c.suppressions(),
  mailer: c.mailer(),
  personEmails: personEmails(c.settings(), c.publicUrl()),
  keyring: await c.keyring(),
  clock: c.clock,
  publicUrl: c.publicUrl(),
};

/** Email queue consumer: sends one nurture step per record, re-checking consent and suppression. */
export const handler = sqsBatchHandler(
  async (record) => {
    const message = parseNurtureMessage(record.body);
    const outcome = await sendNurtureStep(deps, message);
    logger.info('nurture step handled', { sequence: message.sequence, step: message.step, outcome });
  },
  { logger, afterBatch: () => c.counters().flush() },
);
