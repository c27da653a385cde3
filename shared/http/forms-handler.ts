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

/** GET /forms/{formId} (the hosted page), GET /embed.js. The render token of an embedded form is capture's (it serves the form's post). */
export function createFormsHandler(deps: { settings: LeadgateSettings; keyring: Keyring; clock: Clock }, logger: ErrorLogger) {
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
    const { status, html } = formPage(deps.settings, form, {
      formId,
      action: `/forms/${encodeURIComponent(formId)}/submissions`,
      renderToken: token,
      script: 'inline',
      privacyPage: PRIVACY_PAGE_PATH,
    });
    return htmlResponse(status, html, hostedFormHeaders(form.allowedOrigins));
  });
}
