import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { LeadgateError } from '../domain/core/errors';
import type { FormSettings } from '../domain/core/settings';

/**
 * Per-form CORS: the API's own pages (same origin, or `apiOrigin` when capture answers on a
 * function URL of its own) and the form's `allowedOrigins` may post; other browser origins are
 * refused. Requests without an Origin (servers, curl) pass.
 */
export function corsHeaders(event: APIGatewayProxyEventV2, form: FormSettings, apiOrigin?: string): Record<string, string> {
  const origin = event.headers.origin;
  if (!origin) return {};
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    throw new LeadgateError('origin_not_allowed', 'This origin may not post this form.');
  }
  if (host === event.headers.host) return {};
  if (origin !== apiOrigin && !form.allowedOrigins.includes(origin)) {
    throw new LeadgateError('origin_not_allowed', `Pages on ${origin.slice(0, 100)} may not post this form; add the origin to the form's allowedOrigins.`);
  }
  // Retry-After is not a header a cross-origin script may read unless exposed: the embed script waits for it.
  return { 'access-control-allow-origin': origin, 'access-control-expose-headers': 'retry-after', vary: 'Origin' };
}

/**
 * For a page on an origin the form does not allow: headers that let its script read the refusal
 * (403 origin_not_allowed, saying which origin to add), so the visitor is told why instead of
 * "could not reach the server". Reading a refusal writes nothing: the post itself is still refused.
 */
export function refusalHeaders(event: APIGatewayProxyEventV2): Record<string, string> {
  const origin = event.headers.origin;
  return origin && URL.canParse(origin) ? { 'access-control-allow-origin': origin, vary: 'Origin' } : {};
}

export const PREFLIGHT_HEADERS = {
  'access-control-allow-methods': 'POST, OPTIONS',
  'access-control-allow-headers': 'content-type, accept, idempotency-key',
  'access-control-max-age': '600',
};
