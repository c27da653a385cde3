import { runCli } from '../../cli/main';
import type { LocalRuntime } from '../../infra/local/runtime';

/** Runs a `leadgate` CLI command against a test runtime; its exit code and everything it printed. */
export async function cliAgainst(runtime: LocalRuntime, ...args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await runCli(args, {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      out += t;
    },
    env: {
      LEADGATE_DYNAMODB_ENDPOINT: runtime.urls.dynamodb,
      LEADGATE_SQS_ENDPOINT: runtime.urls.sqs,
      LEADGATE_HMAC_SECRET: process.env.LEADGATE_HMAC_SECRET,
      LEADGATE_CONFIG_FILE: process.env.LEADGATE_CONFIG_FILE,
    },
  });
  return { code, out };
}
