import type { RuntimeEnv } from '../config/runtime-env';
import { requireVar } from '../config/runtime-env';
import { createKeyring } from '../domain/keyring';
import type { RouteDeps } from '../domain/route-lead';
import { compileRouting } from '../domain/routing';
import { compileScoring } from '../domain/scoring';
import type { LeadgateSettings } from '../domain/settings';
import { assignmentEmails } from '../email/assignment-email';
import { personEmails } from '../email/person-emails';
import { DynamoSuppressionList } from './dynamo-suppression-list';
import { isDisposableDomain } from './disposable-domains';
import { createDocumentClient, createSesClient } from './aws-clients';
import { DynamoLeadRepository } from './dynamo-lead-repository';
import { DynamoSubmissionStore } from './dynamo-submission-store';
import { DynamoRotationStore } from './dynamo-rotation-store';
import { runtimeClock } from './runtime-clock';
import { SesMailer } from './ses-mailer';
import { createStrangerMailDeps } from './stranger-mail-deps';

/** Everything the pipeline's consumers and sweeps need, built once per container. */
export function createRouteDeps(env: RuntimeEnv, settings: LeadgateSettings, secret: string, serviceName = 'leadgate'): RouteDeps {
  const db = createDocumentClient();
  const { fromName, fromAddress } = settings.sender;
  const keyring = createKeyring(secret);
  const mailer = new SesMailer(createSesClient(), `"${fromName.replace(/"/g, '')}" <${fromAddress}>`, env.SES_CONFIGURATION_SET);
  return {
    ...createStrangerMailDeps(env, db, { settings, keyring, mailer }, serviceName),
    leads: new DynamoLeadRepository(db, env.TABLE_NAME),
    submissions: new DynamoSubmissionStore(db, env.TABLE_NAME),
    rotation: new DynamoRotationStore(db, env.TABLE_NAME, runtimeClock),
    emails: assignmentEmails(settings),
    personEmails: personEmails(settings),
    suppressions: new DynamoSuppressionList(db, env.TABLE_NAME),
    clock: runtimeClock,
    publicUrl: requireVar(env, 'PUBLIC_API_URL'),
    scoreLead: compileScoring(settings.scoring),
    chooseTeam: compileRouting(settings.routing),
    isDisposableDomain,
  };
}
