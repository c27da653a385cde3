import { CfnResource, Stack } from 'aws-cdk-lib';
import type { CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import type { CfnFunction, IFunction } from 'aws-cdk-lib/aws-lambda';
import type { CfnSecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { CfnConfigurationSet } from 'aws-cdk-lib/aws-ses';
import type { CfnTopic } from 'aws-cdk-lib/aws-sns';
import type { CfnQueue } from 'aws-cdk-lib/aws-sqs';
import { LAMBDA_ENVIRONMENT_LIMIT_BYTES } from '../topology';

/*
 * Lambda refuses a function whose variables take more than 4 KB (LAMBDA_ENVIRONMENT_LIMIT_BYTES),
 * and CloudFormation only finds out mid-deploy. The stack checks each function at synth, with
 * every CloudFormation reference counted at the longest it can resolve to.
 */

/** The longest a pseudo parameter resolves to (regions such as us-isof-south-1, partitions such as aws-us-gov, domains such as amazonaws.com.cn). */
const PSEUDO: Record<string, number> = { 'AWS::Region': 16, 'AWS::AccountId': 12, 'AWS::Partition': 10, 'AWS::URLSuffix': 16 };
const REGION = PSEUDO['AWS::Region'] as number;
const ACCOUNT = PSEUDO['AWS::AccountId'] as number;
const PARTITION = PSEUDO['AWS::Partition'] as number;
const URL_SUFFIX = PSEUDO['AWS::URLSuffix'] as number;

interface Resource {
  logicalId: string;
  /** The L1 construct, whose typed properties say whether the template names the resource. */
  cfn: CfnResource;
}

/**
 * The resource's own name when the template gives one; else the name CloudFormation makes:
 * <stack>-<logical id>-<13 random characters>, cut to the service's limit. A name only known at
 * deploy (a parameter) counts at the limit.
 */
const nameLength = (given: unknown, resource: Resource, stackName: string, max: number, suffix = ''): number => {
  // CDK passes a resource's physical name as a token that resolves to nothing when it is unnamed.
  const name: unknown = given === undefined ? undefined : Stack.of(resource.cfn).resolve(given);
  if (name === undefined) return Math.min(max, stackName.length + 1 + resource.logicalId.length + 1 + 13 + suffix.length);
  return typeof name === 'string' ? name.length : max;
};
const arnLength = (service: string, resourcePart: number): number =>
  'arn:'.length + PARTITION + 1 + service.length + 1 + REGION + 1 + ACCOUNT + 1 + resourcePart;

const queueNameLength = (queue: Resource, stackName: string) => {
  const { queueName, fifoQueue } = queue.cfn as CfnQueue;
  return nameLength(queueName, queue, stackName, 80, fifoQueue === true ? '.fifo' : '');
};
/** https://sqs.<region>.<domain>/<account>/<name> */
const queueUrlLength = (queue: Resource, stackName: string) =>
  'https://sqs.'.length + REGION + 1 + URL_SUFFIX + 1 + ACCOUNT + 1 + queueNameLength(queue, stackName);

/** The longest value of `{ Ref }`, by resource type. */
const REF: Record<string, (resource: Resource, stackName: string) => number> = {
  'AWS::SQS::Queue': queueUrlLength,
  'AWS::SNS::Topic': (topic, stackName) => {
    const { topicName, fifoTopic } = topic.cfn as CfnTopic;
    return arnLength('sns', nameLength(topicName, topic, stackName, 256, fifoTopic === true ? '.fifo' : ''));
  },
  'AWS::DynamoDB::Table': (table, stackName) => nameLength((table.cfn as CfnTable).tableName, table, stackName, 255),
  'AWS::SES::ConfigurationSet': (set, stackName) => nameLength((set.cfn as CfnConfigurationSet).name, set, stackName, 64),
  // Secrets Manager names an unnamed secret <logical id>-<12 random characters>, and its ARN adds -<6 random characters>.
  'AWS::SecretsManager::Secret': (secret) => {
    const given = (secret.cfn as CfnSecret).name;
    const name: unknown = given === undefined ? undefined : Stack.of(secret.cfn).resolve(given);
    const length = name === undefined ? secret.logicalId.length + 13 : typeof name === 'string' ? name.length : 512;
    return arnLength('secretsmanager', 'secret:'.length + length + 7);
  },
};

/** The longest value of `{ Fn::GetAtt }`, by resource type and attribute. */
const GET_ATT: Record<string, Record<string, (resource: Resource, stackName: string) => number>> = {
  'AWS::SQS::Queue': {
    Arn: (queue, stackName) => arnLength('sqs', queueNameLength(queue, stackName)),
    QueueName: queueNameLength,
    QueueUrl: queueUrlLength,
  },
  // https://<10-character id>.execute-api.<region>.<domain>
  'AWS::ApiGatewayV2::Api': { ApiEndpoint: () => 'https://'.length + 10 + '.execute-api.'.length + REGION + 1 + URL_SUFFIX },
  // https://<32-character id>.lambda-url.<region>.on.aws/
  'AWS::Lambda::Url': { FunctionUrl: () => 'https://'.length + 32 + '.lambda-url.'.length + REGION + '.on.aws/'.length },
};

export class UnboundedReferenceError extends Error {
  override name = 'UnboundedReferenceError';
}

/**
 * The longest a resolved CloudFormation value can be once deployed. A reference this file does not
 * know throws, so a new binding cannot slip past the check: teach REF or GET_ATT its length.
 */
export function longestValue(value: unknown, resources: ReadonlyMap<string, Resource>, stackName: string): number {
  if (typeof value === 'string') return value.length;
  const [intrinsic, argument] = Object.entries(value as Record<string, unknown>)[0] ?? [];
  if (intrinsic === 'Fn::Join') {
    const [separator, parts] = argument as [string, unknown[]];
    return parts.reduce<number>((sum, part) => sum + longestValue(part, resources, stackName), separator.length * Math.max(0, parts.length - 1));
  }
  if (intrinsic === 'Ref' && typeof argument === 'string' && argument in PSEUDO) return PSEUDO[argument] as number;
  const [logicalId, attribute] = intrinsic === 'Ref' ? [argument as string, undefined] : intrinsic === 'Fn::GetAtt' ? (argument as [string, string]) : [];
  const resource = logicalId === undefined ? undefined : resources.get(logicalId);
  const type = resource?.cfn.cfnResourceType ?? '';
  const bound = resource && (attribute === undefined ? REF[type] : GET_ATT[type]?.[attribute]);
  if (!resource || !bound)
    throw new UnboundedReferenceError(`cannot tell how long ${JSON.stringify(value)} can be: teach infra/constructs/environment-size.ts its length`);
  return bound(resource, stackName);
}

/** The most bytes a function's variables can take as Lambda measures them (the JSON of the map), each reference at its longest. */
export function longestEnvironment(variables: Record<string, unknown>, resources: ReadonlyMap<string, Resource>, stackName: string): number {
  // A placeholder as long as each value's longest, so JSON escaping of its literal parts (a JSON value's quotes) counts too.
  const placeholders = Object.fromEntries(
    Object.entries(variables).map(([name, value]) => {
      if (typeof value === 'string') return [name, value];
      const [separator, parts] = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'] ?? ['', [value]];
      return [name, parts.map((part) => (typeof part === 'string' ? part : 'x'.repeat(longestValue(part, resources, stackName)))).join(separator)];
    }),
  );
  return Buffer.byteLength(JSON.stringify(placeholders));
}

/** The stack's resources by logical ID, as references name them. */
export function stackResources(stack: Stack): Map<string, Resource> {
  return new Map(
    stack.node
      .findAll()
      .filter((construct): construct is CfnResource => CfnResource.isCfnResource(construct))
      .map((cfn) => {
        const logicalId = stack.resolve(cfn.logicalId) as string;
        return [logicalId, { logicalId, cfn }];
      }),
  );
}

/** What a synth reports when the function's variables could pass Lambda's limit: nothing when they fit. */
export function environmentSizeProblems(fn: IFunction, remedy: string): string[] {
  const stack = Stack.of(fn);
  const environment = stack.resolve((fn.node.defaultChild as CfnFunction).environment) as { variables?: Record<string, unknown> } | undefined;
  const longest = longestEnvironment(environment?.variables ?? {}, stackResources(stack), stack.stackName);
  if (longest <= LAMBDA_ENVIRONMENT_LIMIT_BYTES) return [];
  return [
    `${fn.node.path}: its environment variables can take ${longest} bytes once deployed, over Lambda's ${LAMBDA_ENVIRONMENT_LIMIT_BYTES}-byte limit, so the deploy would fail. ${remedy}`,
  ];
}
