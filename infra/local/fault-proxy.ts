import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback-server';

/** The AWS operation a request is for: X-Amz-Target for JSON protocols, method and path for REST. */
export function operationOf(request: IncomingMessage): string {
  const target = request.headers['x-amz-target'];
  if (typeof target === 'string') return target.split('.').pop() ?? target;
  const path = (request.url ?? '').split('?')[0] ?? '';
  if (path.endsWith('/outbound-emails')) return 'SendEmail';
  return `${request.method} ${path}`;
}

export interface FaultProxy {
  url: string;
  /** Holds every request this long before forwarding it (a network round trip, say 5 ms in a region). */
  setDelay(ms: number): void;
  /** While down, every request is cut off unanswered (an outage of the service). */
  setDown(down: boolean): void;
  stop(): Promise<void>;
}

/**
 * A loopback HTTP proxy in front of an emulator, for fault runs: it answers a share of requests
 * with a throttling error instead of forwarding them, so the SDK's own retry path is exercised,
 * or with an error it does not retry, so the caller's own failure path is; and it can hold each
 * request for a fixed delay, so round trips show as they would on AWS.
 */
export interface FaultProxyOptions {
  /** Answer the request with a throttling error (the SDK retries it). */
  throttle?: (operation: string) => boolean;
  /** Answer the request with a client error the SDK does not retry: the call fails for good. */
  reject?: (operation: string, body: string) => boolean;
  delayMs?: number;
}

export async function startFaultProxy(target: string, options: FaultProxyOptions = {}): Promise<FaultProxy> {
  const upstream = new URL(target);
  let delayMs = options.delayMs ?? 0;
  let down = false;
  const server = createServer((req, res) => {
    if (down) {
      req.resume();
      res.destroy();
      return;
    }
    if (delayMs > 0) {
      req.pause();
      setTimeout(() => handle(req, res), delayMs);
    } else handle(req, res);
  });
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    if (options.reject) {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        if (options.reject?.(operationOf(req), body.toString('utf8'))) {
          res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': 'InvalidParameterValue' });
          res.end(JSON.stringify({ __type: 'InvalidParameterValue', message: 'Injected fault: this request fails.' }));
        } else forward(req, res, body);
      });
      req.resume();
      return;
    }
    if (options.throttle?.(operationOf(req))) {
      req.resume();
      res.writeHead(429, { 'content-type': 'application/json', 'x-amzn-errortype': 'TooManyRequestsException' });
      res.end(JSON.stringify({ message: 'Maximum sending rate exceeded.' }));
      return;
    }
    forward(req, res);
  };
  /** Forwards the request upstream: its buffered body, or the stream itself. */
  const forward = (req: IncomingMessage, res: ServerResponse, body?: Buffer) => {
    const upstreamRequest = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstreamRequest.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    if (body) upstreamRequest.end(body);
    else {
      req.pipe(upstreamRequest);
      req.resume();
    }
  };
  const { url, stop } = await listenOnLoopback(server);
  return {
    url,
    setDelay(ms) {
      delayMs = ms;
    },
    setDown(value) {
      down = value;
    },
    stop,
  };
}
