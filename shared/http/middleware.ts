import middy from '@middy/core';
import httpContentNegotiation from '@middy/http-content-negotiation';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
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
 * The middleware every HTTP function starts from: normalized headers and structured errors.
 * Extra middleware passed in runs between the two, so its onError sees the finished response.
 */
export function httpHandler(logger: ErrorLogger, ...extra: middy.MiddlewareObj<APIGatewayProxyEventV2, HttpResponse>[]) {
  let chain = middy<APIGatewayProxyEventV2, HttpResponse>().use(httpHeaderNormalizer());
  for (const middleware of extra) chain = chain.use(middleware);
  return chain.use(errorResponses(logger));
}
