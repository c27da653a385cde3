import { App, Aws, Stack } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import { longestEnvironment, longestValue, stackResources, UnboundedReferenceError } from '../../infra/constructs/environment-size';

/** A stack with an unnamed FIFO queue, a named queue and an unnamed secret, and their references resolved as a template has them. */
function fixture(stackName: string) {
  const stack = new Stack(new App(), stackName);
  const unnamed = new Queue(stack, 'Deliveries', { fifo: true });
  const named = new Queue(stack, 'Named', { queueName: 'leads' });
  const secret = new Secret(stack, 'Token');
  const ref = (value: string) => stack.resolve(value) as unknown;
  return {
    stack,
    resources: stackResources(stack),
    unnamed: ref(unnamed.queueName),
    namedUrl: ref(named.queueUrl),
    secretArn: ref(secret.secretArn),
    region: ref(Aws.REGION),
  };
}

describe('the longest a deployed variable can be', () => {
  it("counts an unnamed queue at CloudFormation's generated name (<stack>-<logical id>-<13>.fifo), cut to SQS's 80 characters", () => {
    const short = fixture('Leadgate');
    const logicalId = short.stack.getLogicalId(short.stack.node.findChild('Deliveries').node.defaultChild as never);
    expect(longestValue(short.unnamed, short.resources, 'Leadgate')).toBe('Leadgate'.length + 1 + logicalId.length + 1 + 13 + '.fifo'.length);
    const long = fixture('L'.repeat(100));
    expect(longestValue(long.unnamed, long.resources, 'L'.repeat(100))).toBe(80);
  });

  it("counts a named queue's URL at its name, the longest region and domain, and an account id", () => {
    const { namedUrl, resources } = fixture('Leadgate');
    expect(longestValue(namedUrl, resources, 'Leadgate')).toBe('https://sqs.'.length + 16 + 1 + 16 + 1 + 12 + 1 + 'leads'.length);
  });

  it("counts a secret's ARN at the name Secrets Manager gives it (<logical id>-<12>) and the ARN's -<6>", () => {
    const { stack, secretArn, resources } = fixture('Leadgate');
    const logicalId = stack.getLogicalId(stack.node.findChild('Token').node.defaultChild as never);
    const prefix = 'arn:'.length + 10 + ':secretsmanager:'.length + 16 + 1 + 12 + ':secret:'.length;
    expect(longestValue(secretArn, resources, 'Leadgate')).toBe(prefix + logicalId.length + 13 + 7);
  });

  it('adds up a join with its separators, and measures the JSON of the whole map, escaped quotes included', () => {
    const { region, resources } = fixture('Leadgate');
    expect(longestValue({ 'Fn::Join': ['--', ['a', region, 'b']] }, resources, 'Leadgate')).toBe(1 + 2 + 16 + 2 + 1);
    const variables = { A: 'x', J: { 'Fn::Join': ['', ['{"r":"', region, '"}']] } };
    expect(longestEnvironment(variables, resources, 'Leadgate')).toBe(JSON.stringify({ A: 'x', J: `{"r":"${'x'.repeat(16)}"}` }).length);
  });

  it('refuses a reference it cannot bound, so a new binding cannot pass the check unmeasured', () => {
    const { resources } = fixture('Leadgate');
    expect(() => longestValue({ Ref: 'NoSuchResource' }, resources, 'Leadgate')).toThrow(UnboundedReferenceError);
    expect(() => longestValue({ 'Fn::GetAtt': ['Unknown', 'Arn'] }, resources, 'Leadgate')).toThrow(/teach infra\/constructs\/environment-size.ts/);
    expect(() => longestValue({ 'Fn::Select': [0, ['a']] }, resources, 'Leadgate')).toThrow(UnboundedReferenceError);
  });
});
