import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { BUNDLE, BUNDLE_ALIASES, settingsDefine } from '../infra/constructs/bundling';
import { functionNames, topology } from '../infra/topology';
import { loadConfigFile } from '../shared/config/load';

/** Bundles code exactly as the stack does: an entry file, or source text (resolved from the project). */
export async function bundleLikeTheStack(entry: string | { contents: string }): Promise<Uint8Array> {
  const result = await build({
    ...(typeof entry === 'string' ? { entryPoints: [entry] } : { stdin: { contents: entry.contents, resolveDir: process.cwd(), loader: 'ts' } }),
    bundle: true,
    platform: 'node',
    write: false,
    format: BUNDLE.format,
    minify: BUNDLE.minify,
    target: BUNDLE.target,
    mainFields: [...BUNDLE.mainFields],
    banner: { js: BUNDLE.banner },
    external: [...BUNDLE.external],
    define: settingsDefine(loadConfigFile()),
    alias: { ...BUNDLE_ALIASES },
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.contents;
}

/** The size of each function's bundle. */
export async function bundleSizes(): Promise<{ name: string; bytes: number; gzipBytes: number }[]> {
  const sizes = [];
  for (const name of functionNames) {
    const code = await bundleLikeTheStack(topology.functions[name].entry);
    sizes.push({ name, bytes: code.byteLength, gzipBytes: gzipSync(code).byteLength });
  }
  return sizes;
}
