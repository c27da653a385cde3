import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { CAPTURE_TIMEOUT_SECONDS } from '../../shared/domain/capture/capture';
import { ANSWER_BEFORE_TIMEOUT_MS, httpHandler } from '../../shared/http/middleware';

const event = { rawPath: '/forms/contact/submissions', headers: {}, requestContext: { http: { method: 'POST' } } } as unknown as APIGatewayProxyEventV2;

describe('an HTTP request that runs out of time', () => {
  it('answers 503 with Retry-After (a retry is safe), not a 500, and logs where it stood', async () => {
    const logged: { message: string; extra: Record<string, unknown> }[] = [];
    const handler = httpHandler({ error: (message, extra) => logged.push({ message, extra }) }).handler(() => new Promise<never>(() => {}));
    const response = await handler(event, { getRemainingTimeInMillis: () => 50 } as Context);
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe(String(CAPTURE_TIMEOUT_SECONDS));
    expect(JSON.parse(response.body as string).error.code).toBe('service_unavailable');
    expect(logged).toEqual([
      { message: 'request failed', extra: { code: 'service_unavailable', error: expect.objectContaining({ message: 'the request ran out of time' }) } },
    ]);
  });

  it(`answers ${ANSWER_BEFORE_TIMEOUT_MS} ms before the timeout, leaving the answer time to leave`, async () => {
    const handler = httpHandler({ error: () => undefined }).handler(() => new Promise<never>(() => {}));
    // With exactly the margin left, the answer is due at once; with middy's default (5 ms), 245 ms on.
    // Timers fire in the order they fall due, so the 100 ms one loses only to an answer due sooner.
    const answer = handler(event, { getRemainingTimeInMillis: () => ANSWER_BEFORE_TIMEOUT_MS } as Context);
    const first = await Promise.race([answer, sleep(100).then(() => 'no answer yet')]);
    expect(first).toMatchObject({ statusCode: 503 });
  });
});
