import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build, version as esbuildVersion } from 'esbuild';
import { BUNDLE, BUNDLE_ALIASES, PROJECT_ROOT } from '../constructs/bundling';

/** The worker that hosts one function's bundle (infra/local/function-worker.ts), bundled with them. */
export const WORKER_ENTRY = 'infra/local/function-worker.ts';

export interface FunctionBundles {
  /** The bundle built from an entry file (relative to the project root). */
  bundleOf(entry: string): string;
  worker: string;
}

const CACHE = join(PROJECT_ROOT, 'node_modules', '.cache', 'leadgate-functions');
const outName = (entry: string) => entry.replace(/\.ts$/, '.mjs');

/**
 * Bundles each function as the stack does (esbuild, ESM, the Lambda credential alias), so the
 * local runtime loads what Lambda would load, one bundle per function with its own copy of every
 * module. Not minified, with source maps. Builds are cached by the inputs' sizes and modification
 * times; a build takes about a second, a cache hit a few milliseconds.
 */
export async function functionBundles(entries: readonly string[]): Promise<FunctionBundles> {
  const all = [...new Set([...entries, WORKER_ENTRY])].sort();
  const key = createHash('sha256').update(JSON.stringify({ all, esbuildVersion, BUNDLE, BUNDLE_ALIASES })).digest('hex').slice(0, 16);
  const root = join(CACHE, key);
  const found = freshBuild(root);
  const dir = found ?? (await buildInto(root, all));
  return { bundleOf: (entry) => join(dir, outName(entry)), worker: join(dir, outName(WORKER_ENTRY)) };
}

type Manifest = Record<string, [size: number, mtimeMs: number]>;

function stamp(file: string): [number, number] | undefined {
  try {
    const stat = statSync(resolve(PROJECT_ROOT, file));
    return [stat.size, stat.mtimeMs];
  } catch {
    return undefined;
  }
}

/** The newest complete build whose inputs are all unchanged. */
function freshBuild(root: string): string | undefined {
  if (!existsSync(join(root, 'current'))) return undefined;
  const dir = join(root, readFileSync(join(root, 'current'), 'utf8').trim());
  try {
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    const unchanged = Object.entries(manifest).every(([file, [size, mtime]]) => {
      const now = stamp(file);
      return now !== undefined && now[0] === size && now[1] === mtime;
    });
    return unchanged ? dir : undefined;
  } catch {
    return undefined;
  }
}

async function buildInto(root: string, entries: readonly string[]): Promise<string> {
  const id = `${Date.now()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const dir = join(root, id);
  mkdirSync(dir, { recursive: true });
  const started = Date.now();
  const result = await build({
    absWorkingDir: PROJECT_ROOT,
    entryPoints: entries.map((entry) => ({ in: entry, out: entry.replace(/\.ts$/, '') })),
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: BUNDLE.format,
    target: BUNDLE.target,
    mainFields: [...BUNDLE.mainFields],
    banner: { js: BUNDLE.banner },
    external: [...BUNDLE.external],
    alias: { ...BUNDLE_ALIASES },
    sourcemap: 'linked',
    sourcesContent: false,
    metafile: true,
    logLevel: 'silent',
  });
  const manifest: Manifest = {};
  for (const input of Object.keys(result.metafile.inputs)) {
    const now = stamp(input);
    if (now) manifest[input] = now;
  }
  // A file saved while esbuild read it may be in the bundle as it was before: use this build, never reuse it.
  if (Object.values(manifest).some(([, mtime]) => mtime >= started - 1000)) return dir;
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  // Publish atomically: concurrent runtimes (test files) each read a complete build.
  writeFileSync(join(root, `current.${id}`), id);
  renameSync(join(root, `current.${id}`), join(root, 'current'));
  removeOldBuilds(root, id);
  return dir;
}

/** Builds older than an hour (a runtime still running from one keeps its files open on Linux). */
function removeOldBuilds(root: string, keep: string): void {
  const hourAgo = Date.now() - 3_600_000;
  for (const name of readdirSync(root)) {
    if (name === keep || name.startsWith('current')) continue;
    const started = Number(name.split('-')[0]);
    if (Number.isFinite(started) && started < hourAgo) rmSync(join(root, name), { recursive: true, force: true });
  }
}
