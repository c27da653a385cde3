import { confirmSubscription, type ConfirmOutcome } from '../domain/consent/confirm-subscription';
import type { ErrorLogger } from './error-responses';
import { httpHandler } from './middleware';
import { confirmButtonPage, linkProblem, messagePage } from './html';
import { linkStatus } from '../domain/core/links';
import { htmlResponse } from './responses';

const PAGES: Record<ConfirmOutcome, { status: number; title: string; text: string }> = {
  confirmed: { status: 200, title: 'Subscription confirmed', text: 'Thank you. You can unsubscribe at any time from any email we send.' },
  already_confirmed: { status: 200, title: 'Already confirmed', text: 'Your subscription was already confirmed.' },
  invalid: { status: 400, title: 'This link is not valid', text: 'The link is damaged or has expired. Subscribe again to get a new one.' },
};

/** GET /confirm shows a button and confirms nothing (link scanners only GET); its POST confirms. */
export function createConfirmHandler(deps: Parameters<typeof confirmSubscription>[0], logger: ErrorLogger) {
  return httpHandler(logger).handler(async (event) => {
    const token = event.queryStringParameters?.t ?? '';
    if (event.requestContext.http.method === 'GET') {
      const status = linkStatus(deps.keyring, token, 'confirm', deps.clock.now());
      if (status !== 'valid') {
        return linkProblem(status, 'Subscribe again on our site to get a new confirmation email.');
      }
      return htmlResponse(
        200,
        confirmButtonPage('Confirm your subscription', 'Press the button to confirm that you want these emails.', 'Confirm my subscription', token),
      );
    }
    const view = PAGES[await confirmSubscription(deps, token)];
    return htmlResponse(view.status, messagePage(view.title, view.text));
  });
}
