import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSecret } from '../../shared/adapters/secrets';
import { startSecretsExtensionDouble } from '../support/secrets-extension-double';

const ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:leadgate/hmac-AbCdEf';
const TOKEN = 'session-token-of-this-sandbox';

describe('secrets through the Parameters and Secrets Lambda Extension', () => {
  let double: Awaited<ReturnType<typeof startSecretsExtensionDouble>>;
  let port: number;

  beforeAll(async () => {
    double = await startSecretsExtensionDouble({ [ARN]: 'k'.repeat(44), 'arn:empty': '' }, TOKEN);
    port = double.port;
  });
  afterAll(() => double.close());

  it('reads a secret by its ARN, with the sandbox session token, as the extension documents', async () => {
    expect(await loadSecret({ arn: ARN }, 'HMAC secret', { port, sessionToken: TOKEN })).toBe('k'.repeat(44));
    expect(double.asked.at(-1)).toBe(ARN);
    expect(double.violations).toEqual([]);
  });

  it('a secret given as a value is used as it is, and the extension is not asked', async () => {
    const before = double.asked.length;
    expect(await loadSecret({ value: 'local-value' }, 'HMAC secret', { port, sessionToken: undefined })).toBe('local-value');
    expect(double.asked).toHaveLength(before);
  });

  it('fails with what went wrong and never the value: a refusal, an unknown or empty secret, no token, no extension', async () => {
    await expect(loadSecret({ arn: ARN }, 'HMAC secret', { port, sessionToken: 'another' })).rejects.toThrow(
      'The HMAC secret could not be read: the secrets extension answered 401',
    );
    await expect(loadSecret({ arn: 'arn:unknown' }, 'HMAC secret', { port, sessionToken: TOKEN })).rejects.toThrow('answered 400');
    await expect(loadSecret({ arn: 'arn:empty' }, 'Turnstile secret', { port, sessionToken: TOKEN })).rejects.toThrow(
      'The Turnstile secret has no string value',
    );
    await expect(loadSecret({ arn: ARN }, 'HMAC secret', { port, sessionToken: undefined })).rejects.toThrow('AWS_SESSION_TOKEN is not set');
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const unused = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(loadSecret({ arn: ARN }, 'HMAC secret', { port: unused, sessionToken: TOKEN })).rejects.toThrow(
      `The secrets extension is not reachable on localhost:${unused} (is its layer attached?)`,
    );
    expect(double.violations).toEqual([]);
  });
});
