import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local double of the AWS Parameters and Secrets Lambda Extension's HTTP interface, as its
 * documentation states it: GET /secretsmanager/get?secretId=<ARN or name> with the sandbox's
 * AWS_SESSION_TOKEN in X-Aws-Parameters-Secrets-Token, answered with GetSecretValue's JSON (401
 * without the token, 400 for a secret it does not know). A request of any other shape is recorded
 * in `violations`, which the tests expect to stay empty. Binds 127.0.0.1 on a free port.
 */
export async function startSecretsExtensionDouble(
  secrets: Record<string, string>,
  sessionToken: string,
): Promise<{ port: number; asked: string[]; violations: string[]; close(): Promise<void> }> {
  const violations: string[] = [];
  const asked: string[] = [];
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const secretId = url.searchParams.get('secretId');
    if (request.method !== 'GET') violations.push(`method ${request.method}`);
    if (url.pathname !== '/secretsmanager/get') violations.push(`path ${url.pathname}`);
    if (!secretId) violations.push('no secretId');
    for (const name of url.searchParams.keys()) if (!['secretId', 'versionId', 'versionStage'].includes(name)) violations.push(`query ${name}`);
    asked.push(secretId ?? '');
    if (request.headers['x-aws-parameters-secrets-token'] !== sessionToken) {
      response.writeHead(401).end('unauthorized');
      return;
    }
    const value = secretId ? secrets[secretId] : undefined;
    if (value === undefined) {
      response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ __type: 'ResourceNotFoundException' }));
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        ARN: secretId,
        Name: 'leadgate-test',
        SecretString: value,
        VersionId: 'v1',
        VersionStages: ['AWSCURRENT'],
        CreatedDate: '2026-11-30T00:00:00Z',
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    asked,
    violations,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
