import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/constructs/bundling';
import { functionBundles, type FunctionBundles } from '../../infra/local/function-bundles';
import { FunctionInitError, startLambdaHost, type LambdaHost } from '../../infra/local/lambda-host';
import { functionEnvironment, functionNames, topology, type FunctionName, type FunctionSpec, type Topology } from '../../infra/topology';
import { loadConfigFile } from '../../shared/config/load';
import { startTestRuntime } from '../support/local-runtime';
import { standInResources } from '../support/bound-resources';

// The local runtime is our only rehearsal of a deploy: a function missing a binding must fail
// here as it would fail in Lambda (at init), not work because another function's variable leaked.

const settings = loadConfigFile('leadgate.config.yaml');
const resources = standInResources('leadgate-bindings-test');
const LAMBDA = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', POWERTOOLS_LOG_LEVEL: 'SILENT' };

/** Every binding of a function that its init uses (Turnstile is off in the example config), and the spec without it. */
function withoutEachBinding(spec: FunctionSpec): { binding: string; spec: FunctionSpec }[] {
  const { access } = spec;
  return [
    ...(access.table !== 'none' ? [{ binding: 'table', spec: { ...spec, access: { ...access, table: 'none' as const } } }] : []),
    ...access.sendsTo.map((queue) => ({
      binding: `sendsTo ${queue}`,
      spec: { ...spec, access: { ...access, sendsTo: access.sendsTo.filter((q) => q !== queue) } },
    })),
    ...access.secrets
      .filter((secret) => secret === 'hmac')
      .map((secret) => ({ binding: `secret ${secret}`, spec: { ...spec, access: { ...access, secrets: access.secrets.filter((s) => s !== secret) } } })),
    ...access.publishesTo.map((topic) => ({
      binding: `publishesTo ${topic}`,
      spec: { ...spec, access: { ...access, publishesTo: access.publishesTo.filter((t) => t !== topic) } },
    })),
    ...(access.destinations ? [{ binding: 'destinations', spec: { ...spec, access: { ...access, destinations: undefined } } }] : []),
    ...(access.sendsEmail ? [{ binding: 'sendsEmail', spec: { ...spec, access: { ...access, sendsEmail: false } } }] : []),
  ];
}

let bundles: FunctionBundles;
const hosts: LambdaHost[] = [];
const start = async (name: FunctionName, spec: FunctionSpec) => {
  bundles ??= await functionBundles(functionNames.map((n) => topology.functions[n].entry));
  const host = await startLambdaHost({
    functions: { [name]: spec },
    bundles,
    environments: { [name]: { ...LAMBDA, ...functionEnvironment(spec, resources) } },
    settings,
    log: () => undefined,
  });
  hosts.push(host);
  return host;
};
afterAll(() => Promise.all(hosts.map((host) => host.stop())));

describe('each function runs with only its own bindings', () => {
  it.each(functionNames)('%s starts with exactly the environment its bindings declare', async (name) => {
    await expect(start(name, topology.functions[name])).resolves.toBeDefined();
  });

  it.each(functionNames)('%s fails at init without any one of its bindings, naming the variable', async (name) => {
    const cases = withoutEachBinding(topology.functions[name]);
    expect(cases.length).toBeGreaterThan(0);
    for (const { binding, spec } of cases) {
      const failure = await start(name, spec).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure, `${name} without ${binding}`).toBeInstanceOf(FunctionInitError);
      expect(String((failure as Error).message), `${name} without ${binding}`).toMatch(
        new RegExp(`^${name} failed to start: Invalid function environment: [A-Z_]+ is not set`),
      );
    }
  });
});

describe('the local runtime with a binding removed from a copy of the topology', () => {
  it('fails to start the way Lambda would, though another function has the same binding', async () => {
    // capture still sends to the routing queue; in one shared process.env the sweep would have seen its URL.
    const copy = structuredClone(topology) as unknown as Topology;
    (copy.functions.routingSweep.access as { sendsTo: readonly string[] }).sendsTo = [];
    const failure = await startTestRuntime({ topology: copy }).then(
      async (runtime) => {
        await runtime.stop();
        return undefined;
      },
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(FunctionInitError);
    expect((failure as Error).message).toBe(
      "routingSweep failed to start: Invalid function environment: ROUTING_QUEUE_URL is not set; the function needs the sendsTo: ['routing'] binding in infra/topology.ts",
    );
  });
});

describe('a sandbox under a runtime started with Node flags (npm start runs it through tsx)', () => {
  it('starts with none of them, as Lambda starts Node with none of ours, and with source maps off (docs/operations.md, "Source maps")', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leadgate-sandbox-flags-'));
    try {
      const handler = join(dir, 'handler.mjs');
      writeFileSync(handler, 'export const handler = async () => ({ flags: process.execArgv, sourceMaps: process.sourceMapsEnabled });\n');
      const module = (file: string) => JSON.stringify(pathToFileURL(join(PROJECT_ROOT, file)).href);
      const script = join(dir, 'host.mts');
      writeFileSync(
        script,
        [
          `import { functionBundles } from ${module('infra/local/function-bundles.ts')};`,
          `import { startLambdaHost } from ${module('infra/local/lambda-host.ts')};`,
          'const { worker } = await functionBundles([]);',
          `const host = await startLambdaHost({ functions: { forms: { entry: 'handler.mjs', memoryMb: 128, timeoutSeconds: 5 } as never }, bundles: { worker, bundleOf: () => ${JSON.stringify(handler)} }, environments: {}, settings: {} as never, log: () => undefined });`,
          'console.log(JSON.stringify({ runtime: process.execArgv, sandbox: await host.invoke("forms", {}) }));',
          'await host.stop();',
        ].join('\n'),
      );
      const output = execFileSync(process.execPath, ['--import', 'tsx', script], { cwd: PROJECT_ROOT, encoding: 'utf8', timeout: 60_000 });
      expect(JSON.parse(output)).toEqual({ runtime: ['--import', 'tsx'], sandbox: { flags: [], sourceMaps: false } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
