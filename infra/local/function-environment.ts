import { VARIABLES } from '../../shared/config/function-env';
import { type BoundResources, type FunctionSpec, functionEnvironment, LAMBDA_ENVIRONMENT_LIMIT_BYTES, serviceName } from '../topology';

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
/**
 * How long the functions' (and the CLI's) AWS requests may go unanswered here, against 5 s on AWS:
 * under a burst of 200 captures, Amazon's DynamoDB Local (CI's second pass) left hundreds of
 * requests unanswered past 5 s on a 2-core machine, and giving up on them made captures run out of time.
 */
export const LOCAL_AWS_REQUEST_TIMEOUT_MS = 30_000;

/**
 * A function's whole environment in the local runtime: what Lambda sets for every function (region,
 * credentials, which the emulators accept), each service's endpoint only where a binding allows
 * its use (elsewhere a call would go to AWS and fail, as it would without the grant), the local
 * mail-domain double and AWS request timeout, the operator's Powertools switches, and what its bindings set.
 */
export function localFunctionEnvironment(
  spec: FunctionSpec,
  resources: BoundResources,
  endpoints: { dynamodb: string; sqs: string; ses: string },
  operatorEnv: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  // What the stack would set: Lambda refuses it over 4 KB, and so does the local runtime.
  const bound = functionEnvironment(spec, resources);
  const size = Buffer.byteLength(JSON.stringify(bound));
  if (size > LAMBDA_ENVIRONMENT_LIMIT_BYTES) {
    throw new Error(
      `${serviceName(spec)}: its environment variables take ${size} bytes, over Lambda's ${LAMBDA_ENVIRONMENT_LIMIT_BYTES}-byte limit, so Lambda would refuse it`,
    );
  }
  const powertools = Object.entries(operatorEnv).filter(
    (entry): entry is [string, string] => entry[0].startsWith('POWERTOOLS_') && entry[0] !== VARIABLES.serviceName && entry[1] !== undefined,
  );
  return {
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: 'local',
    ...(spec.access.table !== 'none' ? { AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb } : {}),
    ...(spec.access.sendsTo.length || spec.access.destinations ? { AWS_ENDPOINT_URL_SQS: endpoints.sqs } : {}),
    // fauxqs serves SNS on its SQS endpoint.
    ...(spec.access.publishesTo.length ? { AWS_ENDPOINT_URL_SNS: endpoints.sqs } : {}),
    ...(spec.access.sendsEmail ? { AWS_ENDPOINT_URL_SESV2: endpoints.ses } : {}),
    [VARIABLES.mailDomains]: 'examples',
    [VARIABLES.awsRequestTimeoutMs]: String(LOCAL_AWS_REQUEST_TIMEOUT_MS),
    ...Object.fromEntries(powertools),
    ...bound,
  };
}
