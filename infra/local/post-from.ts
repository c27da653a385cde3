import { type Agent, request as httpRequest } from 'node:http';

/**
 * POSTs JSON to the local gateway from a given loopback address (any 127.x.y.z on Linux), which
 * the gateway reports as the client's source IP: many clients from one machine, as in AWS. A new
 * connection each time, unless `agent` (kept alive, bound to that address) carries it.
 */
export function postJsonFrom(
  url: URL,
  clientIp: string,
  body: object,
  headers: Record<string, string> = {},
  timeoutMs = 10_000,
  agent?: Agent,
): Promise<{ status: number; text: string }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: 'POST',
        localAddress: clientIp,
        agent: agent ?? false,
        timeout: timeoutMs,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`POST ${url.pathname} from ${clientIp} timed out`)));
    request.on('error', reject);
    request.end(payload);
  });
}
