import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export type HttpResponse = APIGatewayProxyStructuredResultV2 & { statusCode: number; headers: Record<string, string> };

const NO_STORE = { 'cache-control': 'no-store' };

export const jsonResponse = (statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8', ...NO_STORE, ...headers },
  body: JSON.stringify(body),
});

export const htmlResponse = (statusCode: number, html: string, headers: Record<string, string> = {}): HttpResponse => ({
  statusCode,
  headers: { 'content-type': 'text/html; charset=utf-8', ...NO_STORE, ...headers },
  body: html,
});

export const seeOther = (location: string): HttpResponse => ({
  statusCode: 303,
  headers: { location, ...NO_STORE },
  body: '',
});
