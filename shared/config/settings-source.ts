import type { LeadgateSettings } from '../domain/settings';

/** Set by the bundler (infra/constructs/functions.ts) to the configuration validated at synth. */
declare const __LEADGATE_SETTINGS__: LeadgateSettings | undefined;

/**
 * Deployed functions carry the settings validated at synth, so they never read a file or load
 * the YAML parser at cold start; locally the file is read and validated.
 */
export async function loadSettings(): Promise<LeadgateSettings> {
  if (typeof __LEADGATE_SETTINGS__ !== 'undefined') return __LEADGATE_SETTINGS__;
  const { loadConfigFile } = await import('./load');
  return loadConfigFile();
}
