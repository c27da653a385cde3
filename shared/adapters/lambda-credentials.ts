import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundles (an esbuild alias,
 * infra/constructs/bundling.ts). Lambda hands every function its role's credentials in the
 * environment, so the SDK's full chain (SSO, INI files, STS web identity, process, IMDS) never
 * runs there, yet esbuild cannot drop it: the clients import it by name. Replacing it keeps about
 * 100 KB of unused code out of every bundle (aws-sdk-js-v3 issues 5516 and 6087).
 */
export const defaultProvider = (init: Parameters<typeof fromEnv>[0] = {}) => fromEnv(init);
