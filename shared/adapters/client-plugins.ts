import type { Pluggable } from '@smithy/types';

/**
 * SDK plugins for every client this thread creates (shared/adapters/aws-clients.ts). They live on
 * the global object so that the local runtime's function worker can add its request meter before
 * it loads a function's bundle, which carries its own copy of the client module. Deployed
 * functions add none.
 */
const PLUGINS = Symbol.for('leadgate.clientPlugins');

/** A plugin for any client: the SDK types plugins by each client's own input and output unions. */
// biome-ignore lint/suspicious/noExplicitAny: one plugin serves every client, whatever its command types
export type ClientPlugin = Pluggable<any, any>;

export const clientPlugins = (): ClientPlugin[] => ((globalThis as { [PLUGINS]?: ClientPlugin[] })[PLUGINS] ??= []);

/** Adds a plugin to every client created after this call; returns its removal. */
export function useClientPlugin(plugin: ClientPlugin): () => void {
  clientPlugins().push(plugin);
  return () => {
    const index = clientPlugins().indexOf(plugin);
    if (index >= 0) clientPlugins().splice(index, 1);
  };
}
