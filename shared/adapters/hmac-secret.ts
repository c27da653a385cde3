import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretEnv } from '../config/runtime-env';

/** The HMAC secret: from the environment locally, from Secrets Manager when deployed (once per container). */
export async function loadHmacSecret(env: SecretEnv): Promise<string> {
  if (env.LEADGATE_HMAC_SECRET) return env.LEADGATE_HMAC_SECRET;
  const client = new SecretsManagerClient({});
  try {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: env.HMAC_SECRET_ARN }));
    if (!SecretString) throw new Error('The HMAC secret has no string value');
    return SecretString;
  } finally {
    client.destroy();
  }
}
