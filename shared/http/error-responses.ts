import type middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { LeadgateError, type ErrorCode } from '../domain/core/errors';
import { html } from '../email/html';
import { page } from './html';
import { htmlResponse, jsonResponse, type HttpResponse } from './responses';

const STATUS: Record<ErrorCode, number> = {
  validation_failed: 400,
  malformed_body: 400,
  invalid_idempotency_key: 400,
  origin_not_allowed: 403,
  form_not_found: 404,
  route_not_found: 404,
  payload_too_large: 413,
  unsupported_media_type: 415,
  idempotency_key_reused: 422,
  rate_limited: 429,
  internal_error: 500,
  service_unavailable: 503,
};

const RETRY_AFTER_SECONDS = 5;

export interface ErrorLogger {
  error(message: string, extra: Record<string, unknown>): void;
}

export function statusOf(code: ErrorCode): number {
  return STATUS[code];
}

/** What a visitor can do about it, where there is something: only what they sent is theirs to correct. */
const ADVICE: Partial<Record<ErrorCode, string>> = {
  validation_failed: 'Please go back, correct the form and send it again.',
  malformed_body: 'Please go back, correct the form and send it again.',
  payload_too_large: 'Please go back, shorten what you wrote and send it again.',
  rate_limited: 'Please wait a while before sending it again.',
  internal_error: 'Please go back and send it again in a few seconds.',
  service_unavailable: 'Please go back and send it again in a few seconds.',
};

function errorPage(error: LeadgateError): string {
  const fields = error.fields && html`<ul>${Object.entries(error.fields).map(([name, problem]) => html`<li><strong>${name}</strong> ${problem}</li>`)}</ul>`;
  const advice = ADVICE[error.code];
  return page(
    'We could not accept your submission',
    html`<h1>We could not accept your submission</h1><p>${error.message}</p>${fields}${advice && html`<p>${advice}</p>`}`,
  );
}

/** Seconds a client should wait before repeating a request that failed with this error, if it should. */
export function retryAfterOf(error: LeadgateError): number | undefined {
  return error.retryAfterSeconds ?? (STATUS[error.code] === 503 ? RETRY_AFTER_SECONDS : undefined);
}

/** A failure on our side (a dependency's, or unexpected) is logged by its code, name and frames: never its message, which may quote input. */
export function logFailure(logger: ErrorLogger, code: ErrorCode, error: unknown): void {
  const cause = error instanceof LeadgateError ? error.cause : error;
  // shared/adapters/logger.ts logs an Error as its name and frames.
  logger.error('request failed', { code, ...(cause instanceof Error ? { error: cause } : { errorName: typeof cause }) });
}

/** The error body of design §7, as JSON or, for a browser form post, as a readable page. */
export function errorResponse(error: LeadgateError, preferHtml: boolean): HttpResponse {
  const status = STATUS[error.code];
  const retryAfter = retryAfterOf(error);
  const headers: Record<string, string> = retryAfter !== undefined ? { 'retry-after': String(retryAfter) } : {};
  if (preferHtml) return htmlResponse(status, errorPage(error), headers);
  return jsonResponse(status, { error: { code: error.code, message: error.message, ...(error.fields ? { fields: error.fields } : {}) } }, headers);
}

export const prefersHtml = (context: Context): boolean => (context as Context & { preferredMediaType?: string }).preferredMediaType === 'text/html';

/**
 * Turns every error into a structured response. Unexpected errors are logged by name and stack
 * frames only (their messages may quote input) and answered with a generic 500.
 */
export function errorResponses(logger: ErrorLogger): middy.MiddlewareObj<APIGatewayProxyEventV2, HttpResponse> {
  return {
    onError: async (request) => {
      const error = request.error;
      const known = error instanceof LeadgateError ? error : new LeadgateError('internal_error', 'Something went wrong on our side; please retry later.');
      if (!(error instanceof LeadgateError) || known.code === 'service_unavailable') logFailure(logger, known.code, error);
      request.response = errorResponse(known, prefersHtml(request.context));
    },
  };
}
