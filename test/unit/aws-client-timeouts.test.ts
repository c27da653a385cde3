import { createServer, type Socket } from 'node:net';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { requestHandler } from '../../shared/adapters/aws-clients';

/** A TCP endpoint on loopback that accepts connections and never answers: an AWS endpoint gone silent. */
async function silentEndpoint(): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const silentClient = (endpoint: string, maxAttempts?: number) =>
  new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    requestHandler: requestHandler(300),
    ...(maxAttempts ? { maxAttempts } : {}),
  });

describe("every AWS client's request handler", () => {
  it('fails a request that gets no answer once its requestTimeout has passed, instead of waiting for ever', async () => {
    const endpoint = await silentEndpoint();
    try {
      // Our handler's settings, with a shorter timeout so that the test does not wait 5 s.
      const sqs = silentClient(endpoint.url, 1);
      const started = Date.now();
      const outcome = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: `${endpoint.url}/000000000000/q` })).then(
        () => 'answered',
        (error: Error) => error.name,
      );
      expect(outcome).toBe('TimeoutError');
      expect(Date.now() - started).toBeLessThan(3_000);
      sqs.destroy();
    } finally {
      await endpoint.close();
    }
  }, 10_000);

  it('lets the SDK try a timed-out request again, three attempts in all by default, each on a fresh connection', async () => {
    const endpoint = await silentEndpoint();
    try {
      const sqs = silentClient(endpoint.url);
      const outcome = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: `${endpoint.url}/000000000000/q` })).then(
        () => 'answered',
        (error: Error) => error.name,
      );
      expect(outcome).toBe('TimeoutError');
      expect(endpoint.connections()).toBe(3);
      sqs.destroy();
    } finally {
      await endpoint.close();
    }
  }, 10_000);
});
