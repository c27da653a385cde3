import { attributionDims, dayOf, type InsightCounters } from '../domain/insight/counters';
import { PRIVACY_PAGE_PATH } from './privacy-page';
import type middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { captureReceipts, captureSubmission, submissionFingerprint, type CaptureDeps } from '../domain/capture/capture';
import type { AdmissionFindings } from '../domain/core/ports';
import { decoySubmissionId } from '../domain/capture/submission-id';
import { LeadgateError, validationFailed } from '../domain/core/errors';
import { renderToken } from '../domain/core/links';
import { admitSubmission, type RateLimiter } from '../domain/capture/rate-limits';
import { clientRefusal } from '../domain/screening/stranger-mail';
import type { ConsentReceipt } from '../domain/consent/receipts';
import { humanCheck, timeTrap, type HumanVerifier } from '../domain/screening/screening';
import type { FormSettings } from '../domain/core/settings';
import { parseSubmission, type RawBody } from '../domain/capture/submission';
import { corsHeaders, PREFLIGHT_HEADERS, refusalHeaders } from './cors';
import { logFailure, prefersHtml, retryAfterOf, type ErrorLogger } from './error-responses';
import { httpHandler, negotiateJsonOrHtml } from './middleware';
import { formPage, type FormView, hostedFormHeaders } from './form-page';
import { readFormBody } from './form-body';
import { htmlResponse, jsonResponse, seeOther, type HttpResponse } from './responses';

export interface CaptureLogger extends ErrorLogger {
  info(message: string, extra: Record<string, unknown>): void;
}

export interface CaptureHandlerDeps extends CaptureDeps {
  rateLimiter: RateLimiter;
  /** Set when Turnstile is enabled. */
  humanVerifier?: HumanVerifier;
  /** Counts screening outcomes per form (metrics). */
  countSubmission?: (formId: string, outcome: 'rejected') => void;
  /** Report counters (best effort): a caught honeypot counts as rejected. */
  counters?: InsightCounters;
  /** Base URL of the public API: the form sent back with its errors links the privacy page there, as it may be served from capture's own URL. */
  publicUrl?: string;
}

/** What a visitor without JavaScript reads above the form when we failed to take it. */
export const SEND_AGAIN = 'We could not save this just now, on our side. Your details are still below: please send them again in a few seconds.';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

function idempotencyKey(event: APIGatewayProxyEventV2): string | undefined {
  const key = event.headers['idempotency-key'];
  if (key === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw new LeadgateError('invalid_idempotency_key', 'Idempotency-Key must be 1-255 visible ASCII characters.');
  }
  return key;
}

/**
 * `?retry=failure`: the client saw an earlier attempt of this post fail (a 5xx, or no answer), as
 * the embed script says on its retries; a retry of a pending submission then promises it at once.
 */
function retriedAfterFailure(event: APIGatewayProxyEventV2): boolean {
  const retry = event.queryStringParameters?.retry;
  if (retry === undefined) return false;
  if (retry !== 'failure') throw validationFailed({ retry: 'must be "failure" (this post repeats one that failed), or left out' });
  return true;
}

type CorsContext = Context & { leadgateCors?: Record<string, string> };

/** Adds the CORS headers the handler decided on to every response, errors included. */
const corsResponses = (): middy.MiddlewareObj<APIGatewayProxyEventV2, HttpResponse> => {
  const add = async (request: middy.Request<APIGatewayProxyEventV2, HttpResponse>) => {
    const headers = (request.context as CorsContext).leadgateCors;
    if (headers && request.response) request.response.headers = { ...request.response.headers, ...headers };
  };
  return { after: add, onError: add };
};

const CAPTURE_PATH = /^\/forms\/([^/]+)\/(submissions|render-token)$/;
const CAPTURE_ROUTES = new Set(['POST submissions', 'OPTIONS submissions', 'GET render-token']);

/**
 * The form a request names and what it asks for. API Gateway routes only these requests here and
 * names the route and the form (`routeKey`, `pathParameters`); a Lambda function URL
 * (edge.captureFunctionUrl) passes any method and path as route `$default`, so its raw path is
 * read, and anything else is refused.
 */
export function captureRoute(event: APIGatewayProxyEventV2): { formId: string; renderToken: boolean } {
  const byUrl = event.routeKey === '$default';
  const [, pathFormId = '', resource = ''] = CAPTURE_PATH.exec(byUrl ? event.rawPath : (event.routeKey.split(' ')[1] ?? '')) ?? [];
  if (!CAPTURE_ROUTES.has(`${event.requestContext.http.method} ${resource}`)) {
    throw new LeadgateError('route_not_found', 'This endpoint answers GET /forms/{formId}/render-token and POST /forms/{formId}/submissions.');
  }
  return { formId: byUrl ? pathFormId : (event.pathParameters?.formId ?? ''), renderToken: resource === 'render-token' };
}

/**
 * POST (and OPTIONS) /forms/{formId}/submissions: parse, call the domain, map the result (design
 * §2); GET /forms/{formId}/render-token: the signed render time the embed script posts back.
 */
export function createCaptureHandler(deps: CaptureHandlerDeps, logger: CaptureLogger) {
  /** What the embed script tells the visitor: a function of the form alone, like the rest of the answer. */
  const thanks = (form: FormSettings) =>
    form.doubleOptIn ? 'Thank you! To finish, confirm with the link in the email we send to this address.' : 'Thank you! We received your message.';
  const accepted = (submissionId: string, context: Context, form: FormSettings, consentReceipts: ConsentReceipt[]): HttpResponse =>
    prefersHtml(context) ? seeOther(form.successUrl) : jsonResponse(202, { submissionId, status: 'accepted', message: thanks(form), consentReceipts });

  /** A browser without JavaScript gets the form back with its input: to correct, or to send again. */
  const formAgain = (
    formId: string,
    form: FormSettings,
    body: RawBody,
    status: number,
    view: Pick<FormView, 'errors' | 'notice' | 'renderToken'>,
    retry = false,
  ) =>
    formPage(
      deps.settings,
      form,
      {
        formId,
        action: `/forms/${encodeURIComponent(formId)}/submissions${retry ? '?retry=failure' : ''}`,
        renderToken: view.renderToken ?? renderToken(deps.keyring, formId, deps.clock.now()),
        values: body,
        script: 'inline',
        privacyPage: `${deps.publicUrl?.replace(/\/$/, '') ?? ''}${PRIVACY_PAGE_PATH}`,
        ...(view.errors ? { errors: view.errors } : {}),
        ...(view.notice ? { notice: view.notice } : {}),
      },
      status,
    );
  const formWithErrors = (formId: string, form: FormSettings, body: RawBody, error: LeadgateError): HttpResponse => {
    const { status, html } = formAgain(formId, form, body, 400, { errors: error.fields ?? {} });
    return htmlResponse(status, html, hostedFormHeaders(form.allowedOrigins));
  };
  /**
   * Our failure (a 503): the form back with the visitor's input, its render token kept, and an
   * action that says the post is a retry after a failure, so that sending it again promises the
   * submission even if the failed attempt stored it (a plain resend within capture's timeout
   * would leave that promise to the failed attempt).
   */
  const formToSendAgain = (formId: string, form: FormSettings, body: RawBody, error: LeadgateError): HttpResponse => {
    const kept = typeof body.renderedAt === 'string' ? { renderToken: body.renderedAt } : {};
    const { status, html } = formAgain(formId, form, body, 503, { notice: SEND_AGAIN, ...kept }, true);
    const retryAfter = retryAfterOf(error);
    return htmlResponse(status, html, {
      ...hostedFormHeaders(form.allowedOrigins),
      ...(retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) }),
    });
  };

  // The hosted page's script posts here from the API's origin when capture has a function URL of its own.
  const apiOrigin = deps.publicUrl && new URL(deps.publicUrl).origin;
  return httpHandler(logger, negotiateJsonOrHtml(), corsResponses()).handler(async (event, context) => {
    const { formId, renderToken: asksRenderToken } = captureRoute(event);
    const form = Object.hasOwn(deps.settings.forms, formId) ? deps.settings.forms[formId] : undefined;
    if (!form) throw new LeadgateError('form_not_found', `No form "${formId.slice(0, 64)}" is configured.`);
    const preflight = event.requestContext.http.method === 'OPTIONS';
    try {
      (context as CorsContext).leadgateCors = corsHeaders(event, form, apiOrigin);
    } catch (error) {
      // A refused origin: its page may read why (the preflight passes so the post can be refused readably).
      (context as CorsContext).leadgateCors = refusalHeaders(event);
      if (!preflight) throw error;
    }
    if (preflight) return { statusCode: 204, headers: { ...PREFLIGHT_HEADERS }, body: '' };
    // The embed script asks for its render token where it posts, so one endpoint serves an embedded form.
    if (asksRenderToken) return jsonResponse(200, { renderedAt: renderToken(deps.keyring, formId, deps.clock.now()) });

    const key = idempotencyKey(event);
    const afterFailure = retriedAfterFailure(event);
    const body = readFormBody(event);
    let parsed: ReturnType<typeof parseSubmission>;
    try {
      parsed = parseSubmission(deps.settings, formId, form, body, event.headers['sec-gpc'] === '1');
    } catch (error) {
      if (error instanceof LeadgateError && error.code === 'validation_failed' && prefersHtml(context)) {
        return formWithErrors(formId, form, body, error);
      }
      throw error;
    }
    if (parsed.kind === 'honeypot') {
      // The same answer as a real submission (receipts included), so a bot cannot tell it was caught.
      logger.info('submission discarded', { formId, reason: 'honeypot' });
      deps.countSubmission?.(formId, 'rejected');
      const day = dayOf(deps.clock.now());
      await deps.counters?.add([
        { kind: 'funnel', day, dims: attributionDims(formId, parsed.submission.attribution, deps.settings.insight), field: 'rejected', by: 1 },
      ]);
      const submissionId = decoySubmissionId(deps.clock.now());
      return accepted(submissionId, context, form, captureReceipts(deps, parsed.submission, submissionId, deps.clock.now()));
    }
    const now = deps.clock.now();
    const ip = event.requestContext.http.sourceIp;
    const { submission } = parsed;
    const trap = timeTrap(deps.settings.screening, deps.keyring, formId, body.renderedAt, now, form.renderToken);
    const mayMailStranger = form.doubleOptIn && submission.grantedPurposes.length > 0;
    // The per-IP counters, then the human check (an over-limit post never costs a verification
    // call), in parallel with the submission's write.
    const admit = async (): Promise<AdmissionFindings> => {
      const client = {
        ip,
        email: submission.email,
        fingerprint: submissionFingerprint(deps.keyring, submission),
        mayMailStranger,
        ...(trap.renderToken ? { renderToken: trap.renderToken.token } : {}),
      };
      const { held, strangerMails } = await admitSubmission(deps, client, now);
      const human = await humanCheck(deps.humanVerifier, body['cf-turnstile-response'], ip);
      const humanChecked = deps.humanVerifier !== undefined && human.length === 0;
      const mailRefusal = mayMailStranger ? clientRefusal(deps.settings.mailBudget, strangerMails, humanChecked) : undefined;
      const screening = [...held, ...human];
      return { ...(screening.length ? { screening } : {}), ...(mailRefusal ? { mailRefusal } : {}) };
    };
    let result: Awaited<ReturnType<typeof captureSubmission>>;
    try {
      result = await captureSubmission(deps, { ...submission, screening: trap.reasons }, { ...(key ? { idempotencyKey: key } : {}), admit, afterFailure });
    } catch (error) {
      if (!(error instanceof LeadgateError && error.code === 'service_unavailable' && prefersHtml(context))) throw error;
      logFailure(logger, error.code, error);
      return formToSendAgain(formId, form, body, error);
    }
    logger.info('submission accepted', { formId, submissionId: result.submissionId, duplicate: result.duplicate, screened: result.held ?? false });
    return accepted(result.submissionId, context, form, result.receipts);
  });
}
