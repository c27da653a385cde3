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

/** One frame of a V8 stack trace in a bundle: `at async name (file:///var/task/index.mjs:1:2345)`, the name optional. */
const FRAME_LINE = /^(\s*at (?:async |new )?)(?:(.+?) \()?(file:\/\/[^\s()]+?\.m?js):(\d+):(\d+)\)?$/;

type Position = { bundleUrl: string; line: number; column: number };

/** The map's entry for a bundle position (1-based, as in a trace), if the bundle has a map. */
const entryAt = ({ bundleUrl, line, column }: Position) => mapOf(bundleUrl)?.findEntry(line - 1, column - 1);

/** The source position of a frame's bundle position, or undefined without a map. */
function mappedPosition(bundleUrl: string, line: string, column: string): string | undefined {
  const entry = entryAt({ bundleUrl, line: Number(line), column: Number(column) });
  return entry && 'originalSource' in entry ? `${entry.originalSource}:${entry.originalLine + 1}:${entry.originalColumn + 1}` : undefined;
}

/** The original name of the function the frame at `caller` called: the map's name for the token right there. */
function calledName(caller: Position): string | undefined {
  const entry = entryAt(caller);
  if (!entry || !('generatedColumn' in entry) || entry.generatedColumn !== caller.column - 1) return undefined;
  // Node's typings omit the entry's name, which findEntry has returned since Node 20.
  return (entry as { name?: string }).name;
}

/**
 * A stack trace with each bundle position replaced by its TypeScript source position, from the
 * map beside the bundle (esbuild's linked map). Done when an error is logged, not by Node for
 * every trace: `--enable-source-maps` decodes the whole map while the bundle loads (importing the
 * route bundle took 1.4 times as long), and makes each stack trace cost three times as much
 * (docs/operations.md, "Source maps"). Frames without a map stay as they are.
 *
 * A minified bundle renames functions, so a frame's function is named as Node's own source-map
 * support names it: by the original name of what its caller called, the map's name at the next
 * frame's position (a method keeps the name in the trace, as properties are never renamed).
 */
export function sourceMappedStack(stack: string): string {
  const lines = stack.split('\n');
  const frames = lines.map((line) => FRAME_LINE.exec(line));
  return lines
    .map((line, i) => {
      const match = frames[i];
      if (!match) return line.replace(BUNDLE_FRAME, (frame, url: string, l: string, c: string) => mappedPosition(url, l, c) ?? frame);
      const [, at, name, bundleUrl, l, c] = match as unknown as [string, string, string | undefined, string, string, string];
      const mapped = mappedPosition(bundleUrl, l, c);
      if (!mapped) return line;
      const caller = frames[i + 1];
      const original = (caller && calledName({ bundleUrl: caller[3] as string, line: Number(caller[4]), column: Number(caller[5]) })) ?? name;
      return original ? `${at}${original} (${mapped})` : `${at}${mapped}`;
    })
    .join('\n');
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
