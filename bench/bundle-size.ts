import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { BUNDLE, settingsDefine } from '../infra/constructs/bundling';
import { functionNames, topology } from '../infra/topology';
import { loadConfigFile } from '../shared/config/load';

/** Bundles each function exactly as the stack does and reports its size. */
export async function bundleSizes(): Promise<{ name: string; bytes: number; gzipBytes: number }[]> {
  const define = settingsDefine(loadConfigFile());
  const sizes = [];
  for (const name of functionNames) {
    const result = await build({
      entryPoints: [topology.functions[name].entry],
      bundle: true,
      platform: 'node',
      write: false,
      format: BUNDLE.format,
      minify: BUNDLE.minify,
      target: BUNDLE.target,
      mainFields: [...BUNDLE.mainFields],
      banner: { js: BUNDLE.banner },
      define,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]!.contents;
    sizes.push({ name, bytes: code.byteLength, gzipBytes: gzipSync(code).byteLength });
  }
  return sizes;
}
