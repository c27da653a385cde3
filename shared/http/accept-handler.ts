import { acceptAssignment, type AcceptOutcome, previewAssignment } from '../domain/routing/accept-assignment';
import { linkStatus } from '../domain/core/links';
import type { Keyring } from '../domain/core/keyring';
import type { Clock, LeadRepository } from '../domain/core/ports';
import type { ErrorLogger } from './error-responses';
import { httpHandler } from './middleware';
import { confirmButtonPage, linkProblem, messagePage } from './html';
import { htmlResponse } from './responses';

const OUTCOME_PAGES: Record<AcceptOutcome, { status: number; title: string; text: string }> = {
  accepted: { status: 200, title: 'Lead accepted', text: 'The lead is yours. Thank you for picking it up quickly.' },
  already_accepted: { status: 200, title: 'Already accepted', text: 'You had already accepted this lead.' },
  superseded: {
    status: 409,
    title: 'This lead has moved on',
    text: 'The lead was reassigned (or no longer exists), so this link no longer applies.',
  },
  invalid: { status: 400, title: 'This link is not valid', text: 'The link is damaged or has expired.' },
};

/**
 * GET shows a confirmation button and changes nothing, so mail scanners that follow links
 * accept nothing; the button's POST accepts.
 */
export function createAcceptHandler(deps: { leads: LeadRepository; keyring: Keyring; clock: Clock }, logger: ErrorLogger) {
  return httpHandler(logger).handler(async (event) => {
    const token = event.queryStringParameters?.t ?? '';
    if (event.requestContext.http.method === 'GET') {
      // The link is checked before the button is shown: the page says at once what is wrong.
      const status = linkStatus(deps.keyring, token, 'accept', deps.clock.now());
      if (status !== 'valid') return linkProblem(status, 'Ask your team lead if the lead still needs you.');
      const preview = await previewAssignment(deps, token);
      if (preview.status !== 'open') {
        if (preview.status === 'already_accepted') return linkProblem('used', 'You had already accepted this lead.');
        return linkProblem('used', 'The lead was reassigned (or no longer exists), so this link no longer applies.');
      }
      const from = `${preview.formId ? `the ${preview.formId} form, ` : ''}assigned ${preview.assignedAt.slice(0, 16).replace('T', ' ')} UTC`;
      return htmlResponse(
        200,
        confirmButtonPage(`Accept ${preview.lead}?`, `From ${from}. Accepting tells the team you are following it up.`, 'Accept this lead', token),
      );
    }
    const outcome = await acceptAssignment(deps, token);
    const view = OUTCOME_PAGES[outcome];
    return htmlResponse(view.status, messagePage(view.title, view.text));
  });
}
