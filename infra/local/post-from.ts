import { type Agent, request as httpRequest } from 'node:http';

type Answer = { status: number; text: string };

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
): Promise<Answer> {
  const payload = JSON.stringify(body);
  return requestFrom(
    'POST',
    url,
    clientIp,
    { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)), ...headers },
    payload,
    timeoutMs,
    agent,
  );
}

/** GETs a page or a JSON answer from the local gateway from a given loopback address, as postJsonFrom posts. */
export function getFrom(url: URL, clientIp: string, timeoutMs = 10_000): Promise<Answer> {
  return requestFrom('GET', url, clientIp, {}, undefined, timeoutMs);
}

function requestFrom(
  method: 'GET' | 'POST',
  url: URL,
  clientIp: string,
  headers: Record<string, string>,
  payload: string | undefined,
  timeoutMs: number,
  agent?: Agent,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method,
        localAddress: clientIp,
        agent: agent ?? false,
        timeout: timeoutMs,
        headers,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`${method} ${url.pathname} from ${clientIp} timed out`)));
    request.on('error', reject);
    request.end(payload);
  });
}
