import { describe, expect, it } from 'vitest';
import { LOCAL_AWS_REQUEST_TIMEOUT_MS, localFunctionEnvironment } from '../../infra/local/function-environment';
import { topology } from '../../infra/topology';
import { standInResources } from '../support/bound-resources';
import { AWS_REQUEST_TIMEOUT_MS, requestHandler } from '../../shared/adapters/aws-clients';
import { functionEnv, VARIABLES } from '../../shared/config/function-env';

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
      standInResources('leadgate-env-test'),
      { dynamodb: 'http://127.0.0.1:1', sqs: 'http://127.0.0.1:2', ses: 'http://127.0.0.1:3' },
      {},
    );
    expect(functionEnv(local).awsRequestTimeoutMs).toBe(LOCAL_AWS_REQUEST_TIMEOUT_MS);
  });
});

describe("a function's environment: the destinations' bindings", () => {
  const variable = {
    queueUrlBase: 'https://sqs.eu-west-1.amazonaws.com/123456789012/',
    destinations: { crm: { queue: 'Leadgate-crmQueue-AB12.fifo', deadLetterQueue: 'Leadgate-crmDlq-CD34.fifo', secret: { arn: 'arn:aws:secretsmanager:x' } } },
  };

  it("expand each destination's queue names into URLs under the account's queue URL base", () => {
    expect(functionEnv({ [VARIABLES.destinations]: JSON.stringify(variable) }).destinations()).toEqual({
      crm: {
        queueName: 'Leadgate-crmQueue-AB12.fifo',
        queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/Leadgate-crmQueue-AB12.fifo',
        deadLetterUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/Leadgate-crmDlq-CD34.fifo',
        secret: { arn: 'arn:aws:secretsmanager:x' },
      },
    });
  });

  it('are refused, with the variable named, when the base is not a folder URL or a queue has no name', () => {
    for (const wrong of [
      { ...variable, queueUrlBase: 'https://sqs.eu-west-1.amazonaws.com/123456789012' },
      { ...variable, destinations: { crm: { ...variable.destinations.crm, queue: '' } } },
      variable.destinations,
    ]) {
      expect(() => functionEnv({ [VARIABLES.destinations]: JSON.stringify(wrong) }).destinations()).toThrow(
        /Invalid function environment: DESTINATIONS is not a queue URL base/,
      );
    }
  });
});

describe("a function's environment in the local runtime", () => {
  const endpoints = { dynamodb: 'http://127.0.0.1:1', sqs: 'http://127.0.0.1:2', ses: 'http://127.0.0.1:3' };
  const withDestinations = (count: number) => ({
    ...standInResources('leadgate-env-test'),
    destinations: () => ({
      queueUrlBase: 'http://127.0.0.1:2/000000000000/',
      destinations: Object.fromEntries(
        Array.from({ length: count }, (_, i) => [
          `destination-${i}`,
          { queue: `leadgate-dest-destination-${i}.fifo`, deadLetterQueue: `leadgate-dest-destination-${i}-dlq.fifo`, secret: { value: 'x'.repeat(64) } },
        ]),
      ),
    }),
  });

  it("is refused, as Lambda refuses it, when the bindings' variables take over 4 KB", () => {
    expect(() => localFunctionEnvironment(topology.functions.deliver, withDestinations(3), endpoints, {})).not.toThrow();
    expect(() => localFunctionEnvironment(topology.functions.deliver, withDestinations(40), endpoints, {})).toThrow(
      /leadgate-deliver: its environment variables take \d+ bytes, over Lambda's 4096-byte limit/,
    );
  });
});
