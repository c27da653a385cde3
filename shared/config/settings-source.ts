import type { LeadgateSettings } from '../domain/core/settings';

/**
 * The validated configuration. Deployed functions have it compiled in by the bundler
 * (infra/constructs/functions.ts), validated at synth; the local runtime sets the same global
 * after validating the file. Either way a function never parses YAML or runs the config schema
 * at cold start, and neither the parser nor the schema is in its bundle.
 */
declare const __LEADGATE_SETTINGS__: LeadgateSettings | undefined;

export function bundledSettings(): LeadgateSettings {
  if (typeof __LEADGATE_SETTINGS__ === 'undefined') {
    throw new Error('No Leadgate settings: the bundler (deployed) or the local runtime provides them.');
  }
  return __LEADGATE_SETTINGS__;
}

/** Used by the local runtime and tests, which run the functions unbundled. */
export function provideSettings(settings: LeadgateSettings): void {
  (globalThis as { __LEADGATE_SETTINGS__?: LeadgateSettings }).__LEADGATE_SETTINGS__ = settings;
}
