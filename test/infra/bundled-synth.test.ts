import { exampleConfig } from '../support/example-config';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app';
import { startDynamoDb } from '../../infra/local/emulators';
import { provisionTable } from '../../infra/local/provision';
import { type FunctionName, functionNames, readsSecrets, topology } from '../../infra/topology';
import { CONSENT_VERSION } from '../support/example-config';
import { startSecretsExtensionDouble } from '../support/secrets-extension-double';

/** The one real synth: esbuild bundling, CloudFormation validation and cdk-nag, as `cdk synth` does. */
const BUDGET_BYTES = 500 * 1024;
const bundles = new Map<string, string>();
/** Each function's environment as the synthesized template sets it (values are CloudFormation references). */
const templateEnvironments = new Map<string, Record<string, unknown>>();

beforeAll(() => {
  const outdir = mkdtempSync(join(tmpdir(), 'leadgate-synth-'));
  const { app, stack } = buildApp(new App({ outdir }));
  const assembly = app.synth();
  const template = assembly.getStackByName(stack.stackName).template as {
    Resources: Record<
      string,
      { Type: string; Properties: { Description?: string; Code?: { S3Key?: string }; Environment?: { Variables?: Record<string, unknown> } } }
    >;
  };
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const name = functionNames.find((n) => topology.functions[n].description === resource.Properties.Description);
    const hash = resource.Properties.Code?.S3Key?.replace(/\.zip$/, '');
    if (name && hash) bundles.set(name, join(outdir, `asset.${hash}`, 'index.mjs'));
    if (name) templateEnvironments.set(name, resource.Properties.Environment?.Variables ?? {});
  }
}, 120_000);

describe('bundled functions', () => {
  it('bundles every topology function', () => {
    expect([...bundles.keys()].sort()).toEqual([...functionNames].sort());
  });

  it('keeps the capture bundle within its size budget, without the YAML parser or the config schema', () => {
    const file = bundles.get('capture')!;
    expect(statSync(file).size).toBeLessThan(BUDGET_BYTES);
    const code = readFileSync(file, 'utf8');
    expect(code).not.toContain('YAMLParseError');
    expect(code).not.toContain('every form declares a required field');
    expect(code).toContain(CONSENT_VERSION); // the validated settings are compiled in
  });

  // 394.6 KB when the wiring issue was filed; every function that changes leads now also carries
  // the SNS client (AWS Query protocol, about 45 KB) to publish destination events.
  it('keeps the routing bundle (the largest consumer) no larger than 450 KB', () => {
    expect(statSync(bundles.get('route')!).size).toBeLessThanOrEqual(450 * 1024);
  });

  it('ships the disposable-domain list next to the routing bundle, not inside any bundle', () => {
    const route = bundles.get('route')!;
    expect(existsSync(join(dirname(route), 'disposable-domains.json'))).toBe(true);
    for (const [name, file] of bundles) expect(statSync(file).size, name).toBeLessThan(BUDGET_BYTES * 1.2);
  });

  it('each bundle loads as ESM in a fresh Node process with only its own environment from the template, and exports a handler', async () => {
    expect(bundles.size).toBe(functionNames.length);
    const secrets = await startSecretsExtensionDouble({ [SECRET_ARN]: 's'.repeat(64) }, SESSION_TOKEN);
    try {
      for (const [name, file] of bundles) {
        const env = deployedEnvironment(templateEnvironments.get(name)!, secrets.port);
        expect(await loadBundle(file, env), name).toBe('function');
      }
      // Every secret a function read was one the template pointed it at, asked for as the extension expects.
      expect(secrets.asked.length).toBeGreaterThan(0);
      for (const id of secrets.asked) expect(id).toBe(SECRET_ARN);
      expect(secrets.violations).toEqual([]);
    } finally {
      await secrets.close();
    }
  }, 60_000);

  it('a bundle missing one variable of its template environment fails at init, naming it', async () => {
    const secrets = await startSecretsExtensionDouble({ [SECRET_ARN]: 's'.repeat(64) }, SESSION_TOKEN);
    try {
      const { ROUTING_QUEUE_URL: _removed, ...env } = deployedEnvironment(templateEnvironments.get('capture')!, secrets.port);
      expect(await loadBundle(bundles.get('capture')!, env)).toMatch(/ROUTING_QUEUE_URL is not set/);
    } finally {
      await secrets.close();
    }
  }, 30_000);

  it('carries no Secrets Manager client: a deployed function reads its secrets through the Parameters and Secrets extension', () => {
    for (const [name, file] of bundles) {
      const code = readFileSync(file, 'utf8');
      expect(code, name).not.toContain('"GetSecretValue"');
      expect(code.includes('/secretsmanager/get'), name).toBe(readsSecrets(topology.functions[name as FunctionName]));
    }
  });

  it('takes node:http without its ES module facade, so no cold start loads undici (shared/adapters/node-http.ts)', () => {
    for (const name of ['capture', 'privacy', 'route']) {
      const code = readFileSync(bundles.get(name)!, 'utf8');
      expect(code).not.toMatch(/from\s*"node:http"/);
      expect(code).toContain('getBuiltinModule("node:http")');
    }
  });

  it('signs requests with the credentials Lambda puts in the environment, and carries no other credential chain', async () => {
    const file = bundles.get('nurtureTick')!;
    const code = readFileSync(file, 'utf8');
    // The SSO, STS web-identity and INI providers are aliased away (shared/adapters/lambda-credentials.ts).
    expect(code).not.toContain('AssumeRoleWithWebIdentity');
    expect(code).not.toContain('sso_start_url');
    const dynamodb = await startDynamoDb(0);
    try {
      const tableName = await provisionTable(
        new DynamoDBClient({ region: 'us-east-1', endpoint: dynamodb.url, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
      );
      const script = `const m = await import(${JSON.stringify(file)});
        try { console.log(JSON.stringify(await m.handler({}, { getRemainingTimeInMillis: () => 20000 }))); }
        catch (error) { console.log('ERROR ' + error.name); }`;
      const run = async (credentials: Record<string, string>) =>
        (
          await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
            env: {
              PATH: process.env.PATH,
              AWS_REGION: 'us-east-1',
              AWS_ENDPOINT_URL_DYNAMODB: dynamodb.url,
              TABLE_NAME: tableName,
              EMAIL_QUEUE_URL: 'http://127.0.0.1:9/000000000000/none-email',
              EVENTS_TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:none-events.fifo',
              LEADGATE_HMAC_SECRET: 'x'.repeat(40),
              POWERTOOLS_LOG_LEVEL: 'ERROR',
              ...credentials,
            },
            encoding: 'utf8',
          })
        ).stdout.trim();
      expect(await run({ AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_SESSION_TOKEN: 'token' })).toBe('{"queued":0,"failed":0}');
      expect(await run({})).toBe('ERROR CredentialsProviderError');
    } finally {
      await dynamodb.stop();
    }
  }, 60_000);
});

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:leadgate-test';
const SESSION_TOKEN = 'test';

/**
 * The template's variables with each CloudFormation reference replaced by a value of its kind,
 * plus what Lambda itself sets: nothing another function has. The secrets extension's port is the
 * double's (its layer sets 2773).
 */
function deployedEnvironment(variables: Record<string, unknown>, extensionPort: number): Record<string, string> {
  const value = (name: string, raw: unknown): string => {
    if (typeof raw === 'string') return raw;
    if (name === 'TABLE_NAME') return 'leadgate-test';
    if (name.endsWith('_QUEUE_URL')) return `http://127.0.0.1:9/000000000000/${name.toLowerCase()}`;
    if (name.endsWith('_SECRET_ARN')) return SECRET_ARN;
    if (name === 'PUBLIC_API_URL') return 'https://leads.example.com';
    if (name === 'PUBLIC_CAPTURE_URL') return 'https://abc123.lambda-url.us-east-1.on.aws/';
    if (name === 'SES_CONFIGURATION_SET') return 'leadgate-test';
    if (name.endsWith('_TOPIC_ARN')) return 'arn:aws:sns:us-east-1:000000000000:leadgate-events.fifo';
    if (name === 'DESTINATIONS') {
      return JSON.stringify({
        queueUrlBase: 'http://127.0.0.1:9/000000000000/',
        destinations: Object.fromEntries(
          Object.keys(exampleConfig.destinations).map((id) => [id, { queue: `${id}.fifo`, deadLetterQueue: `${id}-dlq.fifo`, secret: { arn: SECRET_ARN } }]),
        ),
      });
    }
    throw new Error(`no stand-in for ${name}: teach deployedEnvironment its kind`);
  };
  return {
    PATH: process.env.PATH ?? '',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_SESSION_TOKEN: SESSION_TOKEN,
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    ...Object.fromEntries(Object.entries(variables).map(([name, raw]) => [name, value(name, raw)])),
    ...('PARAMETERS_SECRETS_EXTENSION_HTTP_PORT' in variables ? { PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(extensionPort) } : {}),
  };
}

/** Imports a bundle in a fresh process: `function` when it exports a handler, else the init error's message. */
async function loadBundle(file: string, env: Record<string, string>): Promise<string> {
  const script = `try { const m = await import(${JSON.stringify(file)}); console.log(typeof m.handler); } catch (error) { console.log(error.message); }`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8' });
  return stdout.trim();
}
