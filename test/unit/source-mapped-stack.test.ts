import { execFileSync } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

/** A function that throws, bundled minified with its linked map as the stack bundles a function, and run by plain Node (no flags). */
const FIXTURE = `import { stackFrames } from '${ROOT}/shared/adapters/source-mapped-stack.ts';
import { maskPersonalData } from '${ROOT}/shared/adapters/logger.ts';

function routeTheLead(): never {
  throw new Error('no rep for ada@example.com');
}

try {
  routeTheLead();
} catch (error) {
  console.log(JSON.stringify({ frames: stackFrames(error as Error), logged: maskPersonalData({ error }) }));
}
`;

describe('stack frames of a bundled function, mapped when logged', () => {
  let dir: string;
  let bundle: string;
  const run = () =>
    JSON.parse(execFileSync(process.execPath, [bundle], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } })) as { frames: string[]; logged: unknown };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'leadgate-frames-'));
    writeFileSync(join(dir, 'handler.ts'), FIXTURE);
    bundle = join(dir, 'handler.mjs');
    await build({
      entryPoints: [join(dir, 'handler.ts')],
      outfile: bundle,
      bundle: true,
      minify: true,
      sourcemap: 'linked',
      format: 'esm',
      platform: 'node',
      logLevel: 'silent',
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('names the TypeScript line that threw and its function, from the map beside the bundle, with Node started without --enable-source-maps', () => {
    const { frames } = run();
    // The bundle calls the function by a minified name; the map knows the original at its call.
    expect(frames[0]).toMatch(/^at routeTheLead \(.*handler\.ts:5:\d+\)$/);
    expect(frames.some((frame) => frame.includes('handler.mjs'))).toBe(false);
  });

  it('logs an error as its name and frames: never its message, which may quote input', () => {
    const { logged } = run();
    expect(logged).toEqual({ error: { name: 'Error', frames: expect.arrayContaining([expect.stringMatching(/handler\.ts:5:/)]) } });
    expect(JSON.stringify(logged)).not.toContain('ada@example.com');
  });

  it('keeps the bundle positions when there is no map', () => {
    renameSync(`${bundle}.map`, `${bundle}.map.away`);
    try {
      const { frames } = run();
      expect(frames[0]).toMatch(/handler\.mjs:\d+:\d+\)?$/);
    } finally {
      renameSync(`${bundle}.map.away`, `${bundle}.map`);
    }
  });
});
