import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { functionEnvironment, functionNames, topology, type BoundResources, type FunctionName } from '../infra/topology';
import { bundleLikeTheStack } from './bundle-size';

/** The clients the functions create between them; SNS since lead changes publish destination events (issue 12). */
const BASELINE = `
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SNSClient } from '@aws-sdk/client-sns';
const db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const sqs = new SQSClient({});
const ses = new SESv2Client({});
const sns = new SNSClient({});
export const handler = async () => ({ db: !!db, sqs: !!sqs, ses: !!ses, sns: !!sns });
`;

const LAMBDA_ENV = { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1' };
const RESOURCES: BoundResources = {
  tableName: 'bench',
  publicApiUrl: 'https://leads.example.com',
  captureUrl: 'https://leads.example.com',
  queueUrl: (queue) => `http://127.0.0.1:9/000000000000/bench-${queue}`,
  topicArn: (topic) => `arn:aws:sns:us-east-1:000000000000:${topic}.fifo`,
  destinations: () => ({ queueUrlBase: 'http://127.0.0.1:9/000000000000/', destinations: {} }),
  sesConfigurationSet: 'bench',
  secret: (name) => (name === 'hmac' ? { value: 'x'.repeat(40) } : undefined),
};
/** What Lambda sets, and what the function's bindings set (its secret given as a value: no Secrets Manager call). */
const environmentOf = (name: FunctionName) => ({ ...LAMBDA_ENV, ...functionEnvironment(topology.functions[name], RESOURCES) });

async function bundle(entry: string | { contents: string }, dir: string, name: string): Promise<string> {
  const out = join(dir, `${name}.mjs`);
  writeFileSync(out, await bundleLikeTheStack(entry));
  return out;
}

/** Time to import a bundle in a fresh Node process (module evaluation, top-level await included). */
const importOnce = (file: string, env: Record<string, string>): number =>
  Number(
    execFileSync(
      process.execPath,
      ['--input-type=module', '-e', `const t=performance.now();await import(${JSON.stringify(file)});console.log(performance.now()-t)`],
      {
        env,
        encoding: 'utf8',
      },
    ).trim(),
  );

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

/**
 * The function's and the baseline's import times, measured alternately, and the median of each
 * pair's ratio. A pair shares the machine's state of the moment, so its ratio cancels load drift,
 * and the median drops the pairs a burst of other work hit. The ratio of the two medians, used
 * before, moved by up to ±0.3 between runs here; the median of pair ratios moved by 0.02 between
 * halves of the same run.
 */
function paired(file: string, env: Record<string, string>, baseline: string, runs: number): { ms: number; baselineMs: number; ratio: number } {
  const ours: number[] = [];
  const base: number[] = [];
  for (let i = 0; i < runs; i++) {
    base.push(importOnce(baseline, LAMBDA_ENV));
    ours.push(importOnce(file, env));
  }
  return { ms: median(ours), baselineMs: median(base), ratio: median(ours.map((ms, i) => ms / (base[i] as number))) };
}

export const COLD_START_RUNS = 15;

export async function coldStarts(runs = COLD_START_RUNS): Promise<{ baselineMs: number; functions: { name: string; ms: number; ratio: number }[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'leadgate-cold-'));
  const baseline = await bundle({ contents: BASELINE }, dir, 'baseline');
  // The routing function's disposable-domain list ships beside it, as in the stack.
  copyFileSync(createRequire(import.meta.url).resolve('disposable-email-domains/index.json'), join(dir, 'disposable-domains.json'));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  const functions = [];
  const baselines: number[] = [];
  for (const name of functionNames) {
    const file = await bundle(topology.functions[name].entry, dir, name);
    const { ms, baselineMs, ratio } = paired(file, environmentOf(name), baseline, runs);
    baselines.push(baselineMs);
    functions.push({ name, ms, ratio });
  }
  return { baselineMs: median(baselines), functions };
}
