import { execFile, execFileSync } from 'node:child_process';
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
import { functionNames, topology } from '../../infra/topology';
import { CONSENT_VERSION } from '../support/example-config';

/** The one real synth: esbuild bundling, CloudFormation validation and cdk-nag, as `cdk synth` does. */
const BUDGET_BYTES = 500 * 1024;
const bundles = new Map<string, string>();

beforeAll(() => {
  const outdir = mkdtempSync(join(tmpdir(), 'leadgate-synth-'));
  const { app, stack } = buildApp(new App({ outdir }));
  const assembly = app.synth();
  const template = assembly.getStackByName(stack.stackName).template as {
    Resources: Record<string, { Type: string; Properties: { Description?: string; Code?: { S3Key?: string } } }>;
  };
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const name = functionNames.find((n) => topology.functions[n].description === resource.Properties.Description);
    const hash = resource.Properties.Code?.S3Key?.replace(/\.zip$/, '');
    if (name && hash) bundles.set(name, join(outdir, `asset.${hash}`, 'index.mjs'));
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

  it('ships the disposable-domain list next to the routing bundle, not inside any bundle', () => {
    const route = bundles.get('route')!;
    expect(existsSync(join(dirname(route), 'disposable-domains.json'))).toBe(true);
    for (const [name, file] of bundles) expect(statSync(file).size, name).toBeLessThan(BUDGET_BYTES * 1.2);
  });

  it('each bundle loads as ESM in a fresh Node process and exports a handler', () => {
    expect(bundles.size).toBe(functionNames.length);
    for (const [name, file] of bundles) {
      const output = execFileSync(
        process.execPath,
        ['--input-type=module', '-e', `const m = await import(${JSON.stringify(file)}); console.log(typeof m.handler);`],
        {
          env: {
            PATH: process.env.PATH,
            TABLE_NAME: 'leadgate-test',
            ROUTING_QUEUE_URL: 'http://127.0.0.1:9/000000000000/none',
            LEADGATE_HMAC_SECRET: 'x'.repeat(40),
            PUBLIC_API_URL: 'https://leads.example.com',
            EMAIL_QUEUE_URL: 'http://127.0.0.1:9/000000000000/none-email',
            AWS_REGION: 'us-east-1',
          },
          encoding: 'utf8',
        },
      );
      expect(output.trim(), name).toBe('function');
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
