/**
 * Stands in for `node:http` in the Lambda bundles (an esbuild alias, infra/constructs/bundling.ts).
 * middy imports `STATUS_CODES` from it as an ES module, and Node builds a built-in's ES module
 * facade by reading every export, which makes `node:http` load undici (its fetch and WebSocket
 * getters): about 10 ms of each cold start for nothing. process.getBuiltinModule hands back the
 * module without the facade, as require() would.
 */
const http = process.getBuiltinModule('node:http');

export const { STATUS_CODES } = http;
export default http;
