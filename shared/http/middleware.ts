import middy from '@middy/core';
import httpContentNegotiation from '@middy/http-content-negotiation';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { CAPTURE_TIMEOUT_SECONDS } from '../domain/capture/capture';
import { serviceUnavailable } from '../domain/core/errors';
import { errorResponses, type ErrorLogger } from './error-responses';
import type { HttpResponse } from './responses';

/** JSON for programs, a page for browsers: sets context.preferredMediaType. */
export const negotiateJsonOrHtml = () =>
  httpContentNegotiation({
    parseCharsets: false,
    parseEncodings: false,
    parseLanguages: false,
    availableMediaTypes: ['application/json', 'text/html'],
    failOnMismatch: false,
  });

/**
 * How long before its function's timeout a request still running is answered. Middy's default,
 * 5 ms, leaves no room for a busy event loop or a garbage collection: the 503 would then come
 * after the timeout, and the client get the platform's bare 5xx. A quarter second is nothing
 * against capture's 10 s.
 */
export const ANSWER_BEFORE_TIMEOUT_MS = 250;

/**
 * A request about to run past its function's timeout: a 503 the client retries, not a 500. What
 * it started may still land, and every HTTP action is safe to repeat. Retry-After is capture's
 * timeout, the span a retry of capture must leave its first request (then, finding its submission
 * still pending, the retry promises routing itself).
 */
const ranOutOfTime = (): never => {
  throw serviceUnavailable('service', new Error('the request ran out of time'), CAPTURE_TIMEOUT_SECONDS);
};

/**
 * The middleware every HTTP function starts from: normalized headers and structured errors.
 * Extra middleware passed in runs between the two, so its onError sees the finished response.
 */
export function httpHandler(logger: ErrorLogger, ...extra: middy.MiddlewareObj<APIGatewayProxyEventV2, HttpResponse>[]) {
  let chain = middy<APIGatewayProxyEventV2, HttpResponse>({ timeoutEarlyInMillis: ANSWER_BEFORE_TIMEOUT_MS, timeoutEarlyResponse: ranOutOfTime }).use(
    httpHeaderNormalizer(),
  );
  for (const middleware of extra) chain = chain.use(middleware);
  return chain.use(errorResponses(logger));
}
