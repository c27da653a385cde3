import type { Agent, ClientRequest, IncomingMessage } from 'node:http';

/** What came back: the status, the headers (names in lower case) and the start of the body. */
export interface BoundedAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface BoundedRequest {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
}

export interface Bounds {
  /** The whole call, from connecting to the last byte read, takes this long at most. */
  timeoutMs: number;
  /** The body is read up to this many bytes; the rest is never received. */
  maxBytes: number;
}

type Protocol = 'http:' | 'https:';
type Module = { request: typeof import('node:http').request; Agent: typeof Agent };

/*
 * node:http(s), not fetch: Node loads undici on a process's first fetch, which took 41-57 ms of
 * CPU in a fresh worker against 7-10 ms for a first node:http call, and each later call 3.4-6.5 ms
 * against 0.7-1.6 ms. getBuiltinModule, as in node-http.ts: no ES module facade, which would load undici too.
 */
const modules: Record<Protocol, () => Module> = {
  'http:': () => process.getBuiltinModule('node:http'),
  'https:': () => process.getBuiltinModule('node:https') as unknown as Module,
};
/** Kept-alive connections, as fetch keeps them: one pool per protocol, made on first use. */
const agents = new Map<Protocol, Agent>();
const agentFor = (protocol: Protocol): Agent => {
  const agent = agents.get(protocol) ?? new (modules[protocol]().Agent)({ keepAlive: true });
  agents.set(protocol, agent);
  return agent;
};

export class TimeoutError extends Error {
  override name = 'TimeoutError';
}

const headersOf = (response: IncomingMessage): Record<string, string> =>
  Object.fromEntries(
    Object.entries(response.headers)
      .filter((entry): entry is [string, string | string[]] => entry[1] !== undefined)
      .map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : value]),
  );

function once(url: URL, request: BoundedRequest, bounds: Bounds): Promise<{ answer?: BoundedAnswer; retry?: true }> {
  const protocol = url.protocol as Protocol;
  return new Promise((resolve, reject) => {
    let answered = false;
    const call: ClientRequest = modules[protocol]().request(
      url,
      { method: request.method, headers: request.headers, agent: agentFor(protocol) },
      (response) => {
        answered = true;
        const chunks: Buffer[] = [];
        let size = 0;
        const done = () => {
          clearTimeout(timer);
          resolve({
            answer: {
              status: response.statusCode ?? 0,
              headers: headersOf(response),
              body: Buffer.concat(chunks).subarray(0, bounds.maxBytes).toString('utf8'),
            },
          });
        };
        response.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.byteLength;
          if (size >= bounds.maxBytes) {
            response.destroy();
            done();
          }
        });
        response.on('end', done);
        response.on('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
      },
    );
    const timer = setTimeout(() => {
      reject(new TimeoutError(`no whole answer within ${bounds.timeoutMs} ms`));
      call.destroy();
    }, bounds.timeoutMs);
    call.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      // A kept-alive connection the server closed while it sat idle (or while Lambda froze the
      // container) fails before the request reached the server: send it again, once, on a new one.
      if (!answered && call.reusedSocket && error.code === 'ECONNRESET') resolve({ retry: true });
      else reject(error);
    });
    call.end(request.body);
  });
}

/**
 * One outbound HTTP call with bounds: redirects are never followed (a 3xx is the answer), the
 * whole call is timed out (TimeoutError), and the body is read only up to a limit. A call on a
 * kept-alive connection that turns out closed is sent again once on a new connection.
 */
export async function boundedRequest(target: string, request: BoundedRequest, bounds: Bounds): Promise<BoundedAnswer> {
  const url = new URL(target);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`only http and https URLs are called, not ${url.protocol}`);
  const first = await once(url, request, bounds);
  if (first.answer) return first.answer;
  const second = await once(url, request, bounds);
  if (second.answer) return second.answer;
  throw Object.assign(new Error('the connection was reset twice'), { code: 'ECONNRESET' });
}
