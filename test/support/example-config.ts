import { configVariant } from '../../infra/local/config-variant';
import { loadConfigFile } from '../../shared/config/load';
import type { LeadgateConfig } from '../../shared/config/schema';

/** The shipped leadgate.config.yaml, validated: tests use the example a newcomer sees. */
export const exampleConfig: LeadgateConfig = loadConfigFile('leadgate.config.yaml');

export const CONSENT_VERSION = exampleConfig.purposes.marketing_email!.consentText.version;

export const TEST_SECRET = 'test-secret-test-secret-test-secret-0123456789';

/** A copy of the example config with changes, written to a temp file for a test runtime. */
export const configFileWith = configVariant;
