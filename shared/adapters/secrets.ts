import http from 'node:http';
import type { FunctionEnv, SecretName, SecretSource } from '../config/function-env';

const DESCRIPTIONS: Record<SecretName, string> = { hmac: 'HMAC secret', turnstile: 'Turnstile secret' };

/** How long the extension may take to answer (its first answer is a Secrets Manager call of its own). */
const EXTENSION_TIMEOUT_MS = 5_000;

/** Where the AWS Parameters and Secrets Lambda Extension listens, and the token it asks for. */
export interface SecretsExtension {
  port: number;
  /** The execution environment's AWS_SESSION_TOKEN: the extension refuses a request without it. */
  sessionToken: string | undefined;
}

/**
 * A secret: given in the environment locally; when deployed, read from Secrets Manager through the
 * AWS Parameters and Secrets Lambda Extension, which the stack attaches to every function with a
 * secret. A GET on localhost, so no Secrets Manager client is loaded at start (it was most of what
 * the route and privacy functions' cold starts had over the SDK baseline), and the extension keeps
 * the value cached for the sandbox. Read once per container by the callers.
 */
export async function loadSecret(source: SecretSource, what: string, extension: SecretsExtension): Promise<string> {
  if ('value' in source) return source.value;
  if (!extension.sessionToken) throw new Error(`The ${what} cannot be read: AWS_SESSION_TOKEN is not set (the secrets extension requires it)`);
  const { status, body } = await getFromExtension(extension, `/secretsmanager/get?secretId=${encodeURIComponent(source.arn)}`, extension.sessionToken);
  if (status !== 200) throw new Error(`The ${what} could not be read: the secrets extension answered ${status}`);
  const { SecretString } = JSON.parse(body) as { SecretString?: unknown };
  if (typeof SecretString !== 'string' || !SecretString) throw new Error(`The ${what} has no string value`);
  return SecretString;
}

function getFromExtension(extension: SecretsExtension, path: string, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(
      { host: 'localhost', port: extension.port, path, headers: { 'X-Aws-Parameters-Secrets-Token': token }, timeout: EXTENSION_TIMEOUT_MS },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`the secrets extension did not answer within ${EXTENSION_TIMEOUT_MS} ms`)));
    request.on('error', (error) =>
      reject(new Error(`The secrets extension is not reachable on localhost:${extension.port} (is its layer attached?): ${error.message}`, { cause: error })),
    );
  });
}

/** The named secret of the function's bindings. */
export const loadBoundSecret = (env: FunctionEnv, name: SecretName): Promise<string> => loadSecret(env.secret(name), DESCRIPTIONS[name], env.secretsExtension);
export const loadHmacSecret = (env: FunctionEnv): Promise<string> => loadBoundSecret(env, 'hmac');
