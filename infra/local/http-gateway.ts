import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import type { FunctionName, RouteSpec } from '../topology';
import { listenOnLoopback } from './loopback-server';

/** What API Gateway accepts at most; larger requests never reach a function. */
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;
const TEXT_TYPES = /^(text\/|application\/(json|x-www-form-urlencoded|xml|javascript)|[^;]*\+(json|xml))/i;

export type HttpInvoker = (name: FunctionName, event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyResultV2>;

interface CompiledRoute {
  spec: RouteSpec;
  pattern: RegExp;
  params: string[];
}

function compile(spec: RouteSpec): CompiledRoute {
  const params: string[] = [];
  const source = spec.path.replace(/\{([^}+]+)(\+?)\}/g, (_, name: string, greedy: string) => {
    params.push(name);
    return greedy ? '(.+)' : '([^/]+)';
  });
  return { spec, pattern: new RegExp(`^${source}$`), params };
}

const gatewayError = (status: number, message: string) => ({ status, body: JSON.stringify({ message }) });

/** The request's body, or undefined past `limit` bytes. */
export function readBody(request: IncomingMessage, limit = MAX_REQUEST_BYTES): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Past the limit the rest is read and dropped, not kept: the client, still sending, gets the 413 rather than a reset.
      if (size > limit) {
        chunks.length = 0;
        resolve(undefined);
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** How the event names what matched: the route and its path parameters (API Gateway), or `$default` (a function URL). */
export interface EventRouting {
  routeKey: string;
  pathParameters?: Record<string, string>;
  /** The API's id (API Gateway) or the URL's (a function URL). */
  apiId: string;
  /** The account, or `anonymous` for a function URL with no auth. */
  accountId: string;
  /** The content types whose bodies the function gets as text; any other body comes base64-encoded. */
  textTypes?: RegExp;
}

/** Builds the payload format 2.0 event for a request, as API Gateway's HTTP APIs and Lambda function URLs both send it. */
export function payloadEvent(request: IncomingMessage, body: Buffer, routing: EventRouting): APIGatewayProxyEventV2 {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined && name !== 'cookie') headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  const isText = (routing.textTypes ?? TEXT_TYPES).test(headers['content-type'] ?? '');
  const now = new Date();
  return {
    version: '2.0',
    routeKey: routing.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(request.headers.cookie ? { cookies: request.headers.cookie.split(/;\s*/) } : {}),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(routing.pathParameters ? { pathParameters: routing.pathParameters } : {}),
    requestContext: {
      accountId: routing.accountId,
      apiId: routing.apiId,
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0] as string,
      http: {
        method: request.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: routing.routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length ? { body: body.toString(isText ? 'utf8' : 'base64'), isBase64Encoded: !isText } : { isBase64Encoded: false }),
  };
}

/** Builds the API Gateway HTTP API (payload format 2.0) event for a request that matched a route. */
export function toEvent(request: IncomingMessage, body: Buffer, route: CompiledRoute, match: RegExpExecArray): APIGatewayProxyEventV2 {
  const pathParameters: Record<string, string> = {};
  route.params.forEach((name, index) => {
    pathParameters[name] = decodeURIComponent(match[index + 1] as string);
  });
  return payloadEvent(request, body, {
    routeKey: `${route.spec.method} ${route.spec.path}`,
    ...(route.params.length ? { pathParameters } : {}),
    apiId: 'local',
    accountId: '000000000000',
  });
}

/** Writes a function's payload 2.0 result as the HTTP response. */
export function send(response: ServerResponse, result: APIGatewayProxyResultV2): void {
  if (typeof result === 'string' || result === undefined || result === null) {
    response.writeHead(200, { 'content-type': 'application/json' }).end(result ?? '');
    return;
  }
  const headers: Record<string, string | string[]> = { ...(result.headers as Record<string, string>) };
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  const body = result.body === undefined ? '' : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  response.writeHead(result.statusCode ?? 200, headers).end(body);
}

/**
 * The local runtime's own routes change state (the clock, SES events), and a web page a developer
 * visits could post to them: a POST must be JSON (which a page can send cross-origin only after a
 * preflight that nothing here answers) and carry no Origin but the runtime's own.
 */
export function localRouteRefusal(request: IncomingMessage, ownOrigin: string): { status: number; error: { code: string; message: string } } | undefined {
  if (request.method !== 'POST') return undefined;
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== ownOrigin) {
    return { status: 403, error: { code: 'origin_not_allowed', message: "Local routes take requests from this machine's tools, not from web pages." } };
  }
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    return { status: 415, error: { code: 'unsupported_media_type', message: 'Send JSON, with content-type: application/json.' } };
  }
  return undefined;
}

export interface LocalRoute {
  method: string;
  path: string;
  handle(request: IncomingMessage, body: Buffer): Promise<{ status: number; body: string; headers?: Record<string, string> }>;
}

/**
 * An HTTP server that does what API Gateway does for the topology's routes: match, build the
 * payload 2.0 event, invoke the function, write its response. Unknown routes get API Gateway's
 * own 404, and a function that fails gets its 500. `localRoutes` are served only here.
 */
export async function startHttpGateway(options: {
  port: number;
  routes: readonly RouteSpec[];
  invoke: HttpInvoker;
  localRoutes?: readonly LocalRoute[];
  onError?: (error: unknown) => void;
}): Promise<{ url: string; server: Server; stop(): Promise<void> }> {
  const routes = options.routes.map(compile);
  const server = createServer(async (request, response) => {
    try {
      const body = await readBody(request);
      if (body === undefined) {
        const { status, body: text } = gatewayError(413, 'Request Entity Too Large');
        response.writeHead(status, { 'content-type': 'application/json', connection: 'close' }).end(text);
        return;
      }
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      const local = options.localRoutes?.find((r) => r.method === request.method && r.path === path);
      if (local) {
        const refusal = localRouteRefusal(request, `http://${request.headers.host ?? ''}`);
        if (refusal) {
          response.writeHead(refusal.status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: refusal.error }));
          return;
        }
        const result = await local.handle(request, body);
        response.writeHead(result.status, { 'content-type': 'application/json', ...result.headers }).end(result.body);
        return;
      }
      for (const route of routes) {
        const match = route.spec.method === request.method ? route.pattern.exec(path) : null;
        if (match) {
          send(response, await options.invoke(route.spec.function, toEvent(request, body, route, match)));
          return;
        }
      }
      const { status, body: text } = gatewayError(404, 'Not Found');
      response.writeHead(status, { 'content-type': 'application/json' }).end(text);
    } catch (error) {
      options.onError?.(error);
      if (!response.headersSent) {
        const { status, body: text } = gatewayError(500, 'Internal Server Error');
        response.writeHead(status, { 'content-type': 'application/json' }).end(text);
      }
    }
  });
  return { ...(await listenOnLoopback(server, options.port)), server };
}
