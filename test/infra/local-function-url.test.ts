import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFunctionUrl } from '../../infra/local/function-url';
import { FunctionThrottledError } from '../../infra/local/lambda-host';

describe("the local runtime's function URL: requests as Lambda passes them from a function URL", () => {
  const seen: APIGatewayProxyEventV2[] = [];
  let failNext = false;
  let throttleNext = false;
  let url: { url: string; stop(): Promise<void> };

  beforeAll(async () => {
    url = await startFunctionUrl({
      port: 0,
      function: 'capture',
      invoke: async (_name, event) => {
        if (throttleNext) {
          throttleNext = false;
          throw new FunctionThrottledError('Rate Exceeded: capture is at its reserved concurrency (2)');
        }
        seen.push(event);
        if (failNext) {
          failNext = false;
          throw new Error('the function failed');
        }
        return { statusCode: 201, headers: { 'x-answer': 'yes' }, body: 'ok' };
      },
      onError: () => undefined,
    });
  });
  afterAll(() => url?.stop());

  const send = (path: string, init: RequestInit) => fetch(new URL(path, url.url), init);

  it('passes any method and path as route $default, with no path parameters, from an anonymous account', async () => {
    const answer = await send('/forms/contact/submissions?x=1', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(answer.status).toBe(201);
    expect(answer.headers.get('x-answer')).toBe('yes');
    const event = seen.at(-1)!;
    expect(event).toMatchObject({
      routeKey: '$default',
      rawPath: '/forms/contact/submissions',
      rawQueryString: 'x=1',
      isBase64Encoded: false,
      body: '{"a":1}',
    });
    expect(event.pathParameters).toBeUndefined();
    expect(event.requestContext).toMatchObject({ routeKey: '$default', accountId: 'anonymous', http: { method: 'PUT', sourceIp: '127.0.0.1' } });
  });

  it("base64-encodes a form post's body, as a function URL does for anything but text, JSON, JavaScript and XML", async () => {
    await send('/x', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=ada%40example.com' });
    const event = seen.at(-1)!;
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body as string, 'base64').toString('utf8')).toBe('email=ada%40example.com');
    await send('/x', { method: 'POST', headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'hello' });
    expect(seen.at(-1)).toMatchObject({ isBase64Encoded: false, body: 'hello' });
  });

  it("answers the URL's own 502 for a function that fails, and 413 past the 6 MB payload, which never reaches the function", async () => {
    failNext = true;
    expect((await send('/x', { method: 'GET' })).status).toBe(502);
    const before = seen.length;
    const tooLarge = await send('/x', { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(6 * 1024 * 1024 + 1) });
    expect(tooLarge.status).toBe(413);
    expect(seen.length).toBe(before);
  });

  it("answers Lambda's 429 for an invocation throttled at the function's reserved concurrency, which never reached it", async () => {
    throttleNext = true;
    const before = seen.length;
    const answer = await send('/x', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(answer.status).toBe(429);
    expect(answer.headers.get('x-amzn-errortype')).toBe('TooManyRequestsException');
    expect(await answer.json()).toEqual({ Message: 'Rate Exceeded.' });
    expect(seen.length).toBe(before);
  });
});
