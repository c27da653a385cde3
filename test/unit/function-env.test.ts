import { describe, expect, it } from 'vitest';
import { LOCAL_AWS_REQUEST_TIMEOUT_MS, localFunctionEnvironment } from '../../infra/local/function-environment';
import { type BoundResources, topology } from '../../infra/topology';
import { AWS_REQUEST_TIMEOUT_MS, requestHandler } from '../../shared/adapters/aws-clients';
import { functionEnv, VARIABLES } from '../../shared/config/function-env';

const RESOURCES: BoundResources = {
  tableName: 'leadgate-env-test',
  publicApiUrl: 'http://127.0.0.1:9',
  captureUrl: 'http://127.0.0.1:9',
  queueUrl: (queue) => `http://127.0.0.1:9/000000000000/${queue}`,
  topicArn: (topic) => `arn:aws:sns:us-east-1:000000000000:${topic}.fifo`,
  destinations: () => ({}),
  sesConfigurationSet: 'leadgate-env-test',
  secret: (name) => (name === 'hmac' ? { value: 'x'.repeat(40) } : undefined),
};

describe("a function's environment: the local runtime's time scales for destinations", () => {
  it('are real time when unset; the 24-hour window follows the retry scale unless given its own', () => {
    expect(functionEnv({})).toMatchObject({ retryScale: 1, retryWindowScale: 1 });
    expect(functionEnv({ [VARIABLES.retryScale]: '0.01' })).toMatchObject({ retryScale: 0.01, retryWindowScale: 0.01 });
    expect(functionEnv({ [VARIABLES.retryScale]: '0.01', [VARIABLES.retryWindowScale]: '0.1' })).toMatchObject({ retryScale: 0.01, retryWindowScale: 0.1 });
  });
});

describe("a function's environment: the AWS request timeout", () => {
  it("is the clients' own (5 s) when unset, and the local runtime's longer one where it sets it", () => {
    expect(functionEnv({}).awsRequestTimeoutMs).toBeUndefined();
    expect(requestHandler(functionEnv({}).awsRequestTimeoutMs)).toMatchObject({ requestTimeout: AWS_REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true });
    const local = localFunctionEnvironment(
      topology.functions.capture,
      RESOURCES,
      { dynamodb: 'http://127.0.0.1:1', sqs: 'http://127.0.0.1:2', ses: 'http://127.0.0.1:3' },
      {},
    );
    expect(functionEnv(local).awsRequestTimeoutMs).toBe(LOCAL_AWS_REQUEST_TIMEOUT_MS);
  });
});
