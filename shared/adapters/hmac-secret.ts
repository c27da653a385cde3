import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { FunctionEnv, SecretName, SecretSource } from '../config/function-env';

const DESCRIPTIONS: Record<SecretName, string> = { hmac: 'HMAC secret', turnstile: 'Turnstile secret' };

/** A secret: given in the environment locally, read from Secrets Manager when deployed (once per container). */
export async function loadSecret(source: SecretSource, what: string): Promise<string> {
  if ('value' in source) return source.value;
  const client = new SecretsManagerClient({});
  try {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: source.arn }));
    if (!SecretString) throw new Error(`The ${what} has no string value`);
    return SecretString;
  } finally {
    client.destroy();
  }
}

/** The named secret of the function's bindings. */
export const loadBoundSecret = (env: FunctionEnv, name: SecretName): Promise<string> => loadSecret(env.secret(name), DESCRIPTIONS[name]);
export const loadHmacSecret = (env: FunctionEnv): Promise<string> => loadBoundSecret(env, 'hmac');
