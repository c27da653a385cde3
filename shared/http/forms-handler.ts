import { LeadgateError } from '../domain/core/errors';
import type { Keyring } from '../domain/core/keyring';
import { renderToken } from '../domain/core/links';
import type { Clock } from '../domain/core/ports';
import type { LeadgateSettings } from '../domain/core/settings';
import { EMBED_SCRIPT } from './embed-script';
import type { ErrorLogger } from './error-responses';
import { httpHandler } from './middleware';
import { formPage, hostedFormHeaders } from './form-page';
import { PRIVACY_PAGE_PATH } from './privacy-page';
import { htmlResponse } from './responses';

export interface FormsDeps {
  settings: LeadgateSettings;
  keyring: Keyring;
  clock: Clock;
  /** The API's URL (capture takes posts from its pages) and capture's URL (the same when capture has no function URL of its own). */
  urls: { api: string; capture: string };
}

/**
 * GET /forms/{formId} (the hosted page), GET /embed.js. The render token of an embedded form is
 * capture's (it serves the form's post). The hosted page's script posts to capture's function URL
 * when the page is served on the API's own URL (capture takes posts from its origin); its form
 * posts to the API without JavaScript, and on a custom domain, whose origin capture does not know.
 */
export function createFormsHandler(deps: FormsDeps, logger: ErrorLogger) {
  const apiHost = new URL(deps.urls.api).host;
  const captureBase = deps.urls.capture.replace(/\/$/, '');
  const separateCapture = new URL(deps.urls.capture).host !== apiHost;
  return httpHandler(logger).handler(async (event) => {
    if (event.rawPath === '/embed.js') {
      return {
        statusCode: 200,
        headers: { 'content-type': 'application/javascript; charset=utf-8', 'cache-control': 'public, max-age=3600' },
        body: EMBED_SCRIPT,
      };
    }
    const formId = event.pathParameters?.formId ?? '';
    const form = Object.hasOwn(deps.settings.forms, formId) ? deps.settings.forms[formId] : undefined;
    if (!form) throw new LeadgateError('form_not_found', `No form "${formId.slice(0, 64)}" is configured.`);
    const token = renderToken(deps.keyring, formId, deps.clock.now());
    const path = `/forms/${encodeURIComponent(formId)}/submissions`;
    const postUrl = separateCapture && event.headers.host === apiHost ? `${captureBase}${path}` : undefined;
    const { status, html } = formPage(deps.settings, form, {
      formId,
      action: path,
      ...(postUrl ? { postUrl } : {}),
      renderToken: token,
      script: 'inline',
      privacyPage: PRIVACY_PAGE_PATH,
    });
    return htmlResponse(status, html, hostedFormHeaders(form.allowedOrigins, postUrl));
  });
}
