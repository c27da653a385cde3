import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

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
  stop(): Promise<void>;
}

/**
 * A loopback HTTP proxy in front of an emulator, for fault runs: it answers a share of requests
 * with a throttling error instead of forwarding them, so the SDK's own retry path is exercised,
 * and can hold each request for a fixed delay, so round trips show as they would on AWS.
 */
export async function startFaultProxy(target: string, options: { throttle?: (operation: string) => boolean; delayMs?: number } = {}): Promise<FaultProxy> {
  const upstream = new URL(target);
  let delayMs = options.delayMs ?? 0;
  const server = createServer((req, res) => {
    if (delayMs > 0) {
      req.pause();
      setTimeout(() => handle(req, res), delayMs);
    } else handle(req, res);
  });
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    if (options.throttle?.(operationOf(req))) {
      req.resume();
      res.writeHead(429, { 'content-type': 'application/json', 'x-amzn-errortype': 'TooManyRequestsException' });
      res.end(JSON.stringify({ message: 'Maximum sending rate exceeded.' }));
      return;
    }
    const forward = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    req.pipe(forward);
    req.resume();
  };
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    setDelay(ms) {
      delayMs = ms;
    },
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
