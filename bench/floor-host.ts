import { functionBundles } from '../infra/local/function-bundles';
import { LOCAL_AWS_REQUEST_TIMEOUT_MS, LOCAL_CREDENTIALS, LOCAL_REGION } from '../infra/local/function-environment';
import { startFunctionUrl } from '../infra/local/function-url';
import { type LambdaHost, startLambdaHost } from '../infra/local/lambda-host';
import type { LocalRuntime } from '../infra/local/runtime';
import { topology } from '../infra/topology';
import { VARIABLES } from '../shared/config/function-env';

export interface Floor {
  url: string;
  /** The floor's sandbox: its init and, when metered, its invocation timings. */
  host: LambdaHost;
  stop(): Promise<void>;
}

/**
 * bench/floor-function.ts in a sandbox of capture's size and timeout, behind a function URL of its
 * own, sending to the runtime's emulators through the same proxies; `metered` as the runtime's
 * sandboxes are (the request meter's plugins on its clients, and its invocations timed).
 */
export async function startFloor(runtime: LocalRuntime, queueUrl: string, { metered }: { metered: boolean }): Promise<Floor> {
  const entry = 'bench/floor-function.ts';
  const host = await startLambdaHost({
    functions: { capture: { ...topology.functions.capture, entry } },
    bundles: await functionBundles([entry]),
    environments: {
      capture: {
        AWS_REGION: LOCAL_REGION,
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        AWS_ENDPOINT_URL_DYNAMODB: runtime.functionEndpoints.dynamodb,
        AWS_ENDPOINT_URL_SQS: runtime.functionEndpoints.sqs,
        [VARIABLES.awsRequestTimeoutMs]: String(LOCAL_AWS_REQUEST_TIMEOUT_MS),
        FLOOR_TABLE_NAME: runtime.tableName,
        FLOOR_QUEUE_URL: queueUrl,
      },
    },
    settings: runtime.config,
    ...(metered ? { meter: () => undefined } : {}),
    log: () => undefined,
  });
  const url = await startFunctionUrl({ port: 0, function: 'capture', invoke: (name, event) => host.invoke(name, event) }).catch(async (error) => {
    await host.stop();
    throw error;
  });
  return {
    url: url.url,
    host,
    async stop() {
      await url.stop();
      await host.stop();
    },
  };
}
