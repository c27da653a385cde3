import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { LeadgateError } from '../domain/core/errors';
import type { RawBody } from '../domain/capture/submission';
import { unsubscribe, unsubscribeTarget, type UnsubscribeChoice, type UnsubscribeDeps } from '../domain/nurture/unsubscribe';
import type { ErrorLogger } from './error-responses';
import { httpHandler } from './middleware';
import { readFormBody } from './form-body';
import { html } from '../email/html';
import { linkProblem, messagePage, page } from './html';
import { linkStatus } from '../domain/core/links';
import { htmlResponse } from './responses';

const INVALID = () =>
  htmlResponse(
    400,
    messagePage(
      'This link is not valid',
      'The unsubscribe link is damaged. Use the link in the most recent email, or reply to it and we will unsubscribe you by hand.',
    ),
  );

export function preferencesPage(settings: UnsubscribeDeps['settings'], maskedEmail: string, token: string): string {
  const action = `?t=${encodeURIComponent(token)}`;
  const topics = Object.entries(settings.nurture.topics).map(
    ([id, name]) => html`<li><label><input type="checkbox" name="topics" value="${id}"> ${name}</label></li>`,
  );
  return page(
    'Unsubscribe',
    html`<h1>Unsubscribe ${maskedEmail}</h1>
<form method="post" action="${action}"><input type="hidden" name="scope" value="all"><button type="submit">Unsubscribe from all marketing email</button></form>
${topics.length > 0 && html`<h2>Or choose what to stop</h2><form method="post" action="${action}"><input type="hidden" name="scope" value="topics"><ul>${topics}</ul><button type="submit">Stop the ticked topics</button></form>`}`,
  );
}

/** RFC 8058 one-click, the page's "all" button, or the page's topic choices. */
function choiceOf(event: APIGatewayProxyEventV2): UnsubscribeChoice {
  let body: RawBody;
  try {
    body = readFormBody(event);
  } catch (error) {
    // Some mail clients send the one-click POST as multipart/form-data.
    const raw = event.body ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8').toString('utf8') : '';
    if (error instanceof LeadgateError && error.code === 'unsupported_media_type' && raw.includes('One-Click') && raw.length < 4096) {
      return { scope: 'all', method: 'one_click_unsubscribe' };
    }
    throw error;
  }
  if (body['List-Unsubscribe'] === 'One-Click') return { scope: 'all', method: 'one_click_unsubscribe' };
  if (body.scope === 'topics') {
    const topics = [body.topics ?? []].flat().filter((t): t is string => typeof t === 'string');
    return { scope: 'topics', topics };
  }
  return { scope: 'all', method: 'unsubscribe_link' };
}

/**
 * GET /unsubscribe shows the masked address and the choices; POST unsubscribes at once. The
 * answers depend only on the token, never on whether the address is still on file.
 */
export function createUnsubscribeHandler(deps: UnsubscribeDeps, logger: ErrorLogger) {
  return httpHandler(logger).handler(async (event) => {
    const token = event.queryStringParameters?.t ?? '';
    const target = unsubscribeTarget(deps, token);
    if (!target) {
      // A year-old link has expired (410), a damaged one is not ours (400); both say what to do.
      const status = linkStatus(deps.keyring, token, 'unsubscribe', deps.clock.now());
      if (status === 'expired') {
        return linkProblem('expired', 'Use the link in a more recent email, or reply to it and we will unsubscribe you by hand.');
      }
      return INVALID();
    }
    if (event.requestContext.http.method === 'GET') return htmlResponse(200, preferencesPage(deps.settings, target.maskedEmail, token));
    const choice = choiceOf(event);
    if (!(await unsubscribe(deps, token, choice))) return INVALID();
    return htmlResponse(
      200,
      choice.scope === 'all'
        ? messagePage('You are unsubscribed', `${target.maskedEmail} will get no more marketing email from us. It took effect immediately.`)
        : messagePage('Preferences saved', 'You will get no more email on the topics you ticked.'),
    );
  });
}
