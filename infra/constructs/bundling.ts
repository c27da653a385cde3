import { resolve } from 'node:path';
import type { LeadgateSettings } from '../../shared/domain/core/settings';

export const PROJECT_ROOT = resolve(import.meta.dirname, '..', '..');

/**
 * Modules every bundle replaces (esbuild aliases; each replacement's comment says why): the SDK's
 * credential chain by the environment's credentials alone, `node:http` by the module without its
 * ES module facade.
 */
export const BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  '@aws-sdk/credential-provider-node': resolve(import.meta.dirname, '..', '..', 'shared', 'adapters', 'lambda-credentials.ts'),
  'node:http': resolve(import.meta.dirname, '..', '..', 'shared', 'adapters', 'node-http.ts'),
};

/**
 * How every function is bundled (NodejsFunction runs esbuild with these; bench/ runs esbuild
 * with the same to measure). ESM bundles still meet CommonJS dependencies that call require().
 */
export const BUNDLE = {
  format: 'esm',
  minify: true,
  target: 'node24',
  mainFields: ['module', 'main'],
  banner: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);",
  /**
   * Left out of the bundle: the SDK loads its event-stream codec with a dynamic import, only for
   * operations that stream events, and none of ours does (DynamoDB, SQS, SES v2 SendEmail,
   * Secrets Manager). Bundled it is 20 KB of every bundle; a client that ever needed it would
   * fail at that call with ERR_MODULE_NOT_FOUND, never at start.
   */
  external: ['@smithy/core/event-streams'],
} as const;

/** The validated settings, compiled into every bundle (see shared/config/settings-source.ts). */
export const settingsDefine = (settings: LeadgateSettings): Record<string, string> => ({
  __LEADGATE_SETTINGS__: JSON.stringify(settings),
});
