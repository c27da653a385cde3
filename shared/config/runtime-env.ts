import * as z from 'zod/mini';

/**
 * The environment a function runs with, read and validated once per container. The stack and
 * the local runtime set the same variables from the topology (infra/topology.ts).
 */
const runtimeEnvSchema = z.object({
  TABLE_NAME: z.string().check(z.minLength(1)),
  ROUTING_QUEUE_URL: z.optional(z.string().check(z.minLength(1))),
  /** Secrets Manager ARN of the HMAC secret (deployed). */
  HMAC_SECRET_ARN: z.optional(z.string().check(z.minLength(1))),
  EMAIL_QUEUE_URL: z.optional(z.string().check(z.minLength(1))),
  /** SES configuration set that publishes bounces and complaints (deployed). */
  SES_CONFIGURATION_SET: z.optional(z.string().check(z.minLength(1))),
  /** Turnstile secret (local); TURNSTILE_SECRET_ARN when deployed. */
  TURNSTILE_SECRET: z.optional(z.string().check(z.minLength(1))),
  TURNSTILE_SECRET_ARN: z.optional(z.string().check(z.minLength(1))),
  /** Base URL of the public API, for links in emails. */
  PUBLIC_API_URL: z.optional(z.url()),
  /** `examples`: mail domains from the local resolver double instead of DNS (local runtime only). */
  LEADGATE_MAIL_DOMAINS: z.optional(z.literal('examples')),
  /** The HMAC secret itself (local runtime and tests only). */
  LEADGATE_HMAC_SECRET: z.optional(z.string().check(z.minLength(32))),
});

export type RuntimeEnv = z.infer<typeof runtimeEnvSchema>;

export function readRuntimeEnv(env: NodeJS.ProcessEnv = process.env): RuntimeEnv {
  const result = runtimeEnvSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`Invalid function environment: ${problems}`);
  }
  if (!result.data.HMAC_SECRET_ARN && !result.data.LEADGATE_HMAC_SECRET) {
    throw new Error('Invalid function environment: set HMAC_SECRET_ARN (deployed) or LEADGATE_HMAC_SECRET (local)');
  }
  return result.data;
}

export function requireVar<K extends keyof RuntimeEnv>(env: RuntimeEnv, name: K): NonNullable<RuntimeEnv[K]> {
  const value = env[name];
  if (value === undefined) throw new Error(`Invalid function environment: ${name} is required by this function`);
  return value as NonNullable<RuntimeEnv[K]>;
}

export type SecretEnv = Pick<RuntimeEnv, 'HMAC_SECRET_ARN' | 'LEADGATE_HMAC_SECRET'>;

/** For functions that touch no table: where the HMAC secret comes from, and nothing else. */
export function readSecretEnv(env: NodeJS.ProcessEnv = process.env): SecretEnv {
  return readRuntimeEnv({ ...env, TABLE_NAME: env.TABLE_NAME ?? '-' });
}
