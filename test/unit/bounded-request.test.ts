import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { boundedRequest, TimeoutError } from '../../shared/adapters/bounded-request';

let server: Server | undefined;

/** A loopback server answering with `handle`; it stops after each test. */
async function serve(handle: (request: IncomingMessage, response: ServerResponse) => void): Promise<string> {
  server = createServer(handle);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return `http://127.0.0.1:${port}`;
}

afterEach(async () => {
  const stopping = server;
  server = undefined;
  if (!stopping) return;
  stopping.closeAllConnections();
  await new Promise((resolve) => stopping.close(resolve));
});

const post = (url: string, timeoutMs = 2000, maxBytes = 4096) =>
  boundedRequest(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' }, { timeoutMs, maxBytes });

describe('an outbound call with bounds (node:http, not fetch)', () => {
  it('sends the method, headers and body, and answers with the status, lower-cased headers and body', async () => {
    let received = '';
    const base = await serve((request, response) => {
      request.on('data', (chunk) => (received += chunk));
      request.on('end', () => {
        response.writeHead(429, { 'Retry-After': '30', 'Content-Type': 'application/json' });
        response.end(`{"method":"${request.method}","type":"${request.headers['content-type']}"}`);
      });
    });
    const answer = await post(`${base}/hook`);
    expect(received).toBe('{"a":1}');
    expect(answer).toMatchObject({ status: 429, headers: { 'retry-after': '30' }, body: '{"method":"POST","type":"application/json"}' });
  });

  it('answers a redirect with the redirect, and never calls where it points', async () => {
    const paths: string[] = [];
    const base = await serve((request, response) => {
      paths.push(request.url as string);
      response.writeHead(302, { location: '/elsewhere' }).end();
    });
    expect(await post(`${base}/hook`)).toMatchObject({ status: 302, headers: { location: '/elsewhere' } });
    expect(paths).toEqual(['/hook']);
  });

  it('gives up with a TimeoutError when the whole answer takes longer than the bound, even if it has started', async () => {
    const base = await serve((_request, response) => {
      response.writeHead(200);
      response.write('partial');
    });
    const started = Date.now();
    await expect(post(`${base}/slow`, 200)).rejects.toThrow(TimeoutError);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('reads only the first maxBytes of a large body', async () => {
    const base = await serve((_request, response) => response.end('x'.repeat(1_000_000)));
    const answer = await post(`${base}/big`, 2000, 4096);
    expect(answer.status).toBe(200);
    expect(answer.body).toHaveLength(4096);
  });

  it('sends a call again, once, on a new connection when its kept-alive one turns out closed', async () => {
    const requestsOn = new Map<Socket, number>();
    const base = await serve((request, response) => {
      const count = (requestsOn.get(request.socket) ?? 0) + 1;
      requestsOn.set(request.socket, count);
      // The second call on a connection meets it closed, as after the server's idle timeout.
      if (count === 2) request.socket.destroy();
      else response.end('ok');
    });
    expect((await post(`${base}/first`)).status).toBe(200);
    expect((await post(`${base}/second`)).body).toBe('ok');
    expect([...requestsOn.values()]).toEqual([2, 1]);
  });

  it('refuses a URL that is not http or https', async () => {
    await expect(post('file:///etc/passwd')).rejects.toThrow(/only http and https URLs/);
  });
});
