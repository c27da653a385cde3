import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { FunctionName } from '../topology';
import { topology } from '../topology';

/** A Lambda context for one invocation of a topology function, with its memory and deadline. */
export function lambdaContext(name: FunctionName): Context {
  const spec = topology.functions[name];
  const deadline = Date.now() + spec.timeoutSeconds * 1000;
  const functionName = `leadgate-local-${name}`;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: String(spec.memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export type Handler<E, R> = (event: E, context: Context) => Promise<R>;

/** Invokes a handler as Lambda would: rejects when it throws or runs past its timeout. */
export async function invoke<E, R>(name: FunctionName, handler: Handler<E, R>, event: E): Promise<R> {
  const context = lambdaContext(name);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${name} timed out after ${topology.functions[name].timeoutSeconds} s`)),
      context.getRemainingTimeInMillis(),
    );
  });
  try {
    return await Promise.race([handler(event, context), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
