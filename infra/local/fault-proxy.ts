import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
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
  stop(): Promise<void>;
}

/**
 * A loopback HTTP proxy in front of an emulator, for fault runs: it answers a share of requests
 * with a throttling error instead of forwarding them, so the SDK's own retry path is exercised.
 */
export async function startFaultProxy(target: string, options: { throttle?: (operation: string) => boolean } = {}): Promise<FaultProxy> {
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    if (options.throttle?.(operationOf(req))) {
      req.resume();
      res.writeHead(429, { 'content-type': 'application/json', 'x-amzn-errortype': 'TooManyRequestsException' });
      res.end(JSON.stringify({ message: 'Maximum sending rate exceeded.' }));
      return;
    }
    const forward = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    req.pipe(forward);
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
