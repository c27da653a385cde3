import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretEnv } from '../config/runtime-env';

/** A secret: given in the environment locally, read from Secrets Manager when deployed (once per container). */
export async function loadSecret(value: string | undefined, arn: string | undefined, what: string): Promise<string> {
  if (value) return value;
  if (!arn) throw new Error(`No ${what}: set its value (local) or its Secrets Manager ARN (deployed)`);
  const client = new SecretsManagerClient({});
  try {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    if (!SecretString) throw new Error(`The ${what} has no string value`);
    return SecretString;
  } finally {
    client.destroy();
  }
}

export const loadHmacSecret = (env: SecretEnv): Promise<string> => loadSecret(env.LEADGATE_HMAC_SECRET, env.HMAC_SECRET_ARN, 'HMAC secret');
