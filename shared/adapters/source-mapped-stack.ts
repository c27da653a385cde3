import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

/** A frame's position in a bundle: `file:///var/task/index.mjs:1:2345`. */
const BUNDLE_FRAME = /(file:\/\/[^\s()]+?\.m?js):(\d+):(\d+)/g;

/** Each bundle's map, parsed at the first trace that needs it; null when it has none. */
const maps = new Map<string, SourceMap | null>();

function mapOf(bundleUrl: string): SourceMap | null {
  let map = maps.get(bundleUrl);
  if (map === undefined) {
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${fileURLToPath(bundleUrl)}.map`, 'utf8')));
    } catch {
      map = null;
    }
    maps.set(bundleUrl, map);
  }
  return map;
}

/**
 * A stack trace with each bundle position replaced by its TypeScript source position, from the
 * map beside the bundle (esbuild's linked map). Done when an error is logged, not by Node for
 * every trace: `--enable-source-maps` decodes the whole map while the bundle loads (importing the
 * route bundle took 1.4 times as long), and makes each stack trace cost three times as much
 * (docs/operations.md, "Source maps"). Frames without a map stay as they are.
 */
export function sourceMappedStack(stack: string): string {
  return stack.replace(BUNDLE_FRAME, (frame, bundleUrl: string, line: string, column: string) => {
    const entry = mapOf(bundleUrl)?.findEntry(Number(line) - 1, Number(column) - 1);
    if (!entry || !('originalSource' in entry)) return frame;
    return `${entry.originalSource}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  });
}

/** Frames kept per logged error: where it was thrown and the calls that led there. */
const MAX_FRAMES = 10;

/**
 * Where an error came from, without what it says: its stack's frames, source-mapped, and never
 * its message, which may quote input (a frame names only code).
 */
export function stackFrames(error: Error): string[] {
  if (typeof error.stack !== 'string') return [];
  const header = String(error);
  const frames = error.stack.startsWith(header) ? error.stack.slice(header.length) : error.stack;
  return sourceMappedStack(frames)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('at '))
    .slice(0, MAX_FRAMES);
}
