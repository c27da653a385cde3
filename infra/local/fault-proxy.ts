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
  /** Requests forwarded or refused, by operation. */
  counts: Map<string, number>;
  stop(): Promise<void>;
}

/**
 * A loopback HTTP proxy in front of an emulator, for fault and cost runs: it counts requests by
 * AWS operation and can answer a share of them with a throttling error instead of forwarding.
 */
export async function startFaultProxy(target: string, options: { throttle?: (operation: string) => boolean } = {}): Promise<FaultProxy> {
  const counts = new Map<string, number>();
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const operation = operationOf(req);
    counts.set(operation, (counts.get(operation) ?? 0) + 1);
    if (options.throttle?.(operation)) {
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
    counts,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
