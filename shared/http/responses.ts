import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export type HttpResponse = APIGatewayProxyStructuredResultV2 & { statusCode: number; headers: Record<string, string> };

const NO_STORE = { 'cache-control': 'no-store' };

/**
 * Every page: nothing loads but our own scripts (and Turnstile's), no plugin, no framing, no base
 * URL rewriting; types are not sniffed; and no Referer leaves, since some page URLs carry a token.
 */
export const contentSecurityPolicy = (frameAncestors: string, inlineScriptHash?: string, connectTo?: string) =>
  `default-src 'none'; script-src 'self'${inlineScriptHash ? ` ${inlineScriptHash}` : ''} https://challenges.cloudflare.com; frame-src https://challenges.cloudflare.com; connect-src 'self'${connectTo ? ` ${connectTo}` : ''}; img-src 'self' data:; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors ${frameAncestors}`;

export const PAGE_SECURITY_HEADERS = {
  'content-security-policy': contentSecurityPolicy("'none'"),
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export const jsonResponse = (statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8', 'x-content-type-options': 'nosniff', ...NO_STORE, ...headers },
  body: JSON.stringify(body),
});

/**
 * For the pages that hold a form: no Referer leaves for another site, but a post to our own
 * origin carries its Origin (under no-referrer, browsers send `Origin: null`, which the capture
 * endpoint's origin check refuses). These pages carry no token in their URL.
 */
export const FORM_PAGE_HEADERS = { 'referrer-policy': 'same-origin' };

export const htmlResponse = (statusCode: number, html: string, headers: Record<string, string> = {}): HttpResponse => ({
  statusCode,
  headers: { 'content-type': 'text/html; charset=utf-8', ...PAGE_SECURITY_HEADERS, ...NO_STORE, ...headers },
  body: html,
});

export const seeOther = (location: string): HttpResponse => ({
  statusCode: 303,
  headers: { location, 'referrer-policy': 'no-referrer', ...NO_STORE },
  body: '',
});
