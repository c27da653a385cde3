import { resolve } from 'node:path';
import type { LeadgateSettings } from '../../shared/domain/settings';

/** Lambda bundles take credentials from the environment only (see the module's comment). */
export const CREDENTIALS_ALIAS = {
  from: '@aws-sdk/credential-provider-node',
  to: resolve(import.meta.dirname, '..', '..', 'shared', 'adapters', 'lambda-credentials.ts'),
} as const;

/**
 * How every function is bundled (NodejsFunction runs esbuild with these; bench/ runs esbuild
 * with the same to measure). ESM bundles still meet CommonJS dependencies that call require().
 */
export const BUNDLE = {
  format: 'esm',
  minify: true,
  target: 'node22',
  mainFields: ['module', 'main'],
  banner: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);",
} as const;

/** The validated settings, compiled into every bundle (see shared/config/settings-source.ts). */
export const settingsDefine = (settings: LeadgateSettings): Record<string, string> => ({
  __LEADGATE_SETTINGS__: JSON.stringify(settings),
});
