import { createServer } from 'node:http';
import type { FunctionName } from '../topology';
import { type HttpInvoker, payloadEvent, readBody, send } from './http-gateway';
import { FunctionThrottledError } from './lambda-host';
import { listenOnLoopback } from './loopback-server';

/** What a function URL passes as text; any other body (a form post's among them) comes base64-encoded. */
const TEXT_TYPES = /^(text\/|application\/(json|javascript|xml)\b)/i;

/** A function URL's payload limit (a synchronous invocation's); a larger request never reaches the function. */
const MAX_REQUEST_BYTES = 6 * 1024 * 1024;

/**
 * A function's Lambda function URL, as the stack gives capture one (edge.captureFunctionUrl): every
 * method and path reaches the function as route `$default`, with no path parameters, so the
 * function must find its way from the raw path, and a form post's body comes base64-encoded, as
 * on AWS. A function that fails gets the URL's own 502; one at its reserved concurrency, a 429.
 */
export async function startFunctionUrl(options: {
  port: number;
  function: FunctionName;
  invoke: HttpInvoker;
  onError?: (error: unknown) => void;
}): Promise<{ url: string; stop(): Promise<void> }> {
  const server = createServer(async (request, response) => {
    try {
      const body = await readBody(request, MAX_REQUEST_BYTES);
      if (body === undefined) {
        response
          .writeHead(413, { 'content-type': 'application/json', connection: 'close' })
          .end(JSON.stringify({ Message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation' }));
        return;
      }
      const event = payloadEvent(request, body, { routeKey: '$default', apiId: 'local-function-url', accountId: 'anonymous', textTypes: TEXT_TYPES });
      send(response, await options.invoke(options.function, event));
    } catch (error) {
      // A throttled invocation never ran: the URL answers Lambda's 429 (an API Gateway route would answer 500).
      if (error instanceof FunctionThrottledError && !response.headersSent) {
        response
          .writeHead(429, { 'content-type': 'application/json', 'x-amzn-ErrorType': 'TooManyRequestsException' })
          .end(JSON.stringify({ Message: 'Rate Exceeded.' }));
        return;
      }
      options.onError?.(error);
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ Message: 'Internal Server Error' }));
    }
  });
  return listenOnLoopback(server, options.port);
}
