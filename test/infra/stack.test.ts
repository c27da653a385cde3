import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app';
import { THROTTLE } from '../../infra/constructs/api';
import { LeadgateStack, TABLE_ACTIONS } from '../../infra/stack';
import {
  CONSUMER_COUNTER_WINDOW_MS,
  functionEnvironment,
  functionNames,
  queueNames,
  readsSecrets,
  scheduleNames,
  serviceName,
  topology,
  type BoundResources,
  type FunctionSpec,
} from '../../infra/topology';
import { exampleConfig } from '../support/example-config';
import type { LeadgateSettings } from '../../shared/domain/core/settings';
import { LeadgateDestinations } from '../../infra/constructs/destinations';
import { type DestinationBinding, functionEnv } from '../../shared/config/function-env';

/** A fast synth: no bundling, no CloudFormation schema validation; cdk-nag still runs. */
const fastApp = () => new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false } as never);

type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;
let template: Template;
let resources: Resources;
let stackName: string;

beforeAll(() => {
  const { app, stack } = buildApp(fastApp());
  app.synth(); // throws on any unacknowledged cdk-nag finding
  template = Template.fromStack(stack);
  stackName = stack.stackName;
  resources = template.toJSON().Resources;
});

const destinationIds = Object.keys(exampleConfig.destinations);
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

describe('LeadgateStack from the topology', () => {
  it("has exactly the topology's routes", () => {
    const routes = ofType('AWS::ApiGatewayV2::Route')
      .map(([, r]) => r.Properties.RouteKey)
      .sort();
    expect(routes).toEqual(topology.routes.map((r) => `${r.method} ${r.path}`).sort());
  });

  it("sets each function's environment from its bindings and nothing else (functionEnvironment)", () => {
    const resourcesStandIn: BoundResources = {
      tableName: 't',
      publicApiUrl: 'https://x',
      captureUrl: 'https://y',
      queueUrl: (queue) => queue,
      topicArn: (topic) => `arn:aws:sns:us-east-1:000000000000:${topic}.fifo`,
      destinations: () => ({ queueUrlBase: 'http://127.0.0.1:9/000000000000/', destinations: {} }),
      sesConfigurationSet: 's',
      // Turnstile is off in the example config: the stack creates no Turnstile secret.
      secret: (name) => (name === 'hmac' ? { arn: 'a' } : undefined),
    };
    for (const name of functionNames) {
      const spec = topology.functions[name];
      const fn = ofType('AWS::Lambda::Function').find(([, r]) => r.Properties.Description === spec.description)![1];
      const variables = fn.Properties.Environment.Variables as Record<string, unknown>;
      // The secrets extension's layer sets its own variables (the port the function reads among them).
      const extension = Object.keys(variables).filter((variable) => /^(PARAMETERS_SECRETS_EXTENSION|SECRETS_MANAGER|SSM_PARAMETER_STORE)_/.test(variable));
      expect(extension.length > 0, name).toBe(readsSecrets(spec));
      // No NODE_OPTIONS: --enable-source-maps would decode the bundle's map at every cold start;
      // the logger maps a logged error's frames instead (docs/operations.md, "Source maps").
      expect(
        Object.keys(variables)
          .filter((variable) => !extension.includes(variable))
          .sort(),
        name,
      ).toEqual(Object.keys(functionEnvironment(spec, resourcesStandIn)).sort());
      expect(variables.POWERTOOLS_SERVICE_NAME, name).toBe(serviceName(spec));
      // Report counts wait to share writes only where a batch's records run in parallel: the queue consumers.
      const consumer = Object.values(topology.queues).some((queue) => queue.consumer === name);
      expect(variables.LEADGATE_COUNTER_WINDOW_MS, name).toBe(consumer ? String(CONSUMER_COUNTER_WINDOW_MS) : undefined);
    }
    expect(['route', 'sendEmail', 'sesEvents'].every((name) => Object.values(topology.queues).some((queue) => queue.consumer === name))).toBe(true);
  });

  it("has exactly the topology's functions: on arm64 and on the Node major the tests run on, with its memory and timeout", () => {
    const functions = ofType('AWS::Lambda::Function').map(([, r]) => r.Properties);
    expect(functions).toHaveLength(functionNames.length);
    for (const name of functionNames) {
      const spec = topology.functions[name];
      const fn = functions.find((f) => f.Description === spec.description);
      expect(fn, name).toBeDefined();
      expect(fn).toMatchObject({ MemorySize: spec.memoryMb, Timeout: spec.timeoutSeconds, Architectures: ['arm64'] });
      // A function with a secret reads it through the Parameters and Secrets extension (no Secrets Manager client in its bundle).
      const layers = JSON.stringify(fn!.Layers ?? []);
      expect(layers.includes('ParamsandsecretslayerMap'), name).toBe(readsSecrets(spec));
      if (readsSecrets(spec))
        expect(JSON.stringify(template.toJSON().Mappings.ParamsandsecretslayerMap)).toContain('AWS-Parameters-and-Secrets-Lambda-Extension-Arm64');
      // The npm `node` package pins the tests' Node (package.json); Lambda runs the same major.
      expect(Number(/^nodejs(\d+)\.x$/.exec(fn!.Runtime)?.[1]), name).toBe(Number(process.versions.node.split('.')[0]));
    }
  });

  it("has exactly the topology's queues, each with an encrypted, TLS-only DLQ and the right redrive", () => {
    // Each topology queue and its DLQ, plus the scheduled functions' on-failure destination and the alarm emails' DLQ.
    const queues = ofType('AWS::SQS::Queue');
    expect(queues).toHaveLength(queueNames.length * 2 + 2 + destinationIds.length * 2);
    for (const name of queueNames) {
      const spec = topology.queues[name];
      template.hasResourceProperties('AWS::SQS::Queue', {
        VisibilityTimeout: spec.visibilityTimeoutSeconds,
        SqsManagedSseEnabled: true,
        RedrivePolicy: { maxReceiveCount: spec.maxReceiveCount, deadLetterTargetArn: Match.anyValue() },
      });
      const consumerTimeout = topology.functions[spec.consumer].timeoutSeconds;
      expect(spec.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(6 * consumerTimeout);
    }
    expect(queues.every(([, q]) => q.Properties.SqsManagedSseEnabled === true)).toBe(true);
    const tlsPolicies = ofType('AWS::SQS::QueuePolicy').filter(([, p]) => JSON.stringify(p.Properties).includes('aws:SecureTransport'));
    expect(tlsPolicies.length).toBeGreaterThanOrEqual(queueNames.length * 2 + 2 + destinationIds.length * 2);
  });

  it("has exactly the topology's event source mappings, reporting batch item failures", () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping').map(([, r]) => r.Properties);
    expect(mappings).toHaveLength(queueNames.length + destinationIds.length);
    for (const id of destinationIds) {
      expect(mappings).toContainEqual(
        expect.objectContaining({
          BatchSize: topology.destinationQueues.batchSize,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          ScalingConfig: { MaximumConcurrency: exampleConfig.destinations[id]!.maxConcurrency },
        }),
      );
    }
    for (const name of queueNames) {
      const spec = topology.queues[name];
      expect(mappings).toContainEqual(
        expect.objectContaining({
          BatchSize: spec.batchSize,
          MaximumBatchingWindowInSeconds: spec.maxBatchingWindowSeconds,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
        }),
      );
    }
  });

  it('has one table: pk/sk, on demand, TTL on expiresAt, PITR, deletion protection, rotated customer key', () => {
    expect(ofType('AWS::DynamoDB::Table')).toHaveLength(1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('throttles the API and writes access logs without client IP addresses', () => {
    const stage = ofType('AWS::ApiGatewayV2::Stage')[0]![1];
    expect(stage.Properties.DefaultRouteSettings).toMatchObject({
      ThrottlingRateLimit: THROTTLE.rateLimit,
      ThrottlingBurstLimit: THROTTLE.burstLimit,
    });
    expect(stage.Properties.AccessLogSettings.DestinationArn).toBeDefined();
    expect(stage.Properties.AccessLogSettings.Format).not.toMatch(/sourceIp/);
  });

  it('gives every log group a retention period and keeps the HMAC secret in Secrets Manager', () => {
    const groups = ofType('AWS::Logs::LogGroup');
    expect(groups.length).toBeGreaterThanOrEqual(functionNames.length + 1);
    expect(groups.every(([, g]) => typeof g.Properties.RetentionInDays === 'number')).toBe(true);
    expect(ofType('AWS::SecretsManager::Secret')).toHaveLength(1 + destinationIds.length);
  });

  it("grants no wildcard except X-Ray's, and only the privacy function may delete from the table", () => {
    const deleters = functionNames.filter((name) => topology.functions[name].access.table === 'readWriteDelete');
    expect(deleters).toEqual(['privacy']);
    const deleterRole = ofType('AWS::Lambda::Function').find(([, r]) => r.Properties.Description === topology.functions.privacy.description)![1].Properties
      .Role['Fn::GetAtt'][0];
    for (const [id, policy] of ofType('AWS::IAM::Policy')) {
      const isDeleter = JSON.stringify(policy.Properties.Roles).includes(deleterRole);
      for (const statement of policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]) {
        const actions = [statement.Action].flat();
        if (statement.Resource === '*')
          expect(
            actions.every((a) => a.startsWith('xray:')),
            id,
          ).toBe(true);
        expect(
          actions.filter((a) => a.includes('*')),
          id,
        ).toEqual([]);
        if (!isDeleter) expect(actions, id).not.toContain('dynamodb:DeleteItem');
        expect(actions, id).not.toContain('dynamodb:BatchWriteItem');
      }
    }
  });
});

describe('schedules, indexes and least privilege', () => {
  it("has exactly the topology's schedules, each targeting its function", () => {
    const rules = ofType('AWS::Events::Rule').map(([, r]) => r.Properties);
    expect(rules).toHaveLength(scheduleNames.length);
    for (const name of scheduleNames) {
      expect(rules).toContainEqual(
        expect.objectContaining({
          ScheduleExpression: `rate(${topology.schedules[name].everyMinutes} minute${topology.schedules[name].everyMinutes === 1 ? '' : 's'})`,
        }),
      );
    }
  });

  it("has the topology's sparse indexes, keys only", () => {
    const [, table] = ofType('AWS::DynamoDB::Table')[0]!;
    const indexes = table.Properties.GlobalSecondaryIndexes as { IndexName: string; Projection: { ProjectionType: string } }[];
    expect(indexes.map((i) => i.IndexName)).toEqual(topology.table.indexes.map((i) => i.name));
    expect(indexes.every((i) => i.Projection.ProjectionType === 'KEYS_ONLY')).toBe(true);
  });

  it('lets only email-sending functions send, and only as the configured identity', () => {
    const statementsOf = (name: string) => {
      const role = ofType('AWS::Lambda::Function').find(([, r]) => r.Properties.Description === topology.functions[name as 'route'].description)![1].Properties
        .Role['Fn::GetAtt'][0];
      return ofType('AWS::IAM::Policy')
        .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(role))
        .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
    };
    for (const name of functionNames) {
      const ses = statementsOf(name).filter((s) => [s.Action].flat().some((a) => a.startsWith('ses:')));
      if (!topology.functions[name].access.sendsEmail) {
        expect(ses, name).toEqual([]);
        continue;
      }
      expect(ses).toHaveLength(1);
      expect(ses[0]!.Action).toBe('ses:SendEmail');
      expect(JSON.stringify(ses[0]!.Resource)).toContain(`:identity/${exampleConfig.sender.identity}`);
      expect(JSON.stringify(ses[0]!.Resource)).toContain(':configuration-set/');
    }
  });
});

describe('least privilege', () => {
  /** What each function may do, derived from its topology entry alone. */
  function allowedActions(name: (typeof functionNames)[number]): Set<string> {
    const spec = topology.functions[name];
    const allowed = new Set<string>(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']);
    if (spec.access.table !== 'none') {
      for (const a of TABLE_ACTIONS[spec.access.table]) allowed.add(a);
      for (const a of ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey']) allowed.add(a);
    }
    // Scheduled functions also send to their on-failure destination (a Lambda destination uses the function's role).
    const scheduled = scheduleNames.some((s) => topology.schedules[s].function === name);
    if (spec.access.sendsTo.length || scheduled) for (const a of ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl']) allowed.add(a);
    if (spec.access.sendsEmail) allowed.add('ses:SendEmail');
    if (spec.access.secrets.length) for (const a of ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']) allowed.add(a);
    if (spec.access.publishesTo.length) for (const a of ['sns:Publish', 'kms:GenerateDataKey', 'kms:Decrypt']) allowed.add(a);
    if ((spec.access as FunctionSpec['access']).destinations) {
      for (const a of [
        'sqs:ReceiveMessage',
        'sqs:ChangeMessageVisibility',
        'sqs:GetQueueUrl',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:SendMessage',
      ])
        allowed.add(a);
      for (const a of ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']) allowed.add(a);
    }
    if (queueNames.some((q) => topology.queues[q].consumer === name)) {
      for (const a of ['sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueUrl', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes']) allowed.add(a);
    }
    return allowed;
  }

  it('gives every function only the permissions its topology entry needs', () => {
    for (const name of functionNames) {
      const role = ofType('AWS::Lambda::Function').find(([, r]) => r.Properties.Description === topology.functions[name].description)![1].Properties.Role[
        'Fn::GetAtt'
      ][0];
      const actions = ofType('AWS::IAM::Policy')
        .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(role))
        .flatMap(([, p]) => (p.Properties.PolicyDocument.Statement as { Action: string | string[] }[]).flatMap((s) => [s.Action].flat()));
      const extra = actions.filter((action) => !allowedActions(name).has(action));
      expect(extra, name).toEqual([]);
    }
  });

  it('scopes every data-plane permission to named resources', () => {
    for (const [id, policy] of ofType('AWS::IAM::Policy')) {
      for (const statement of policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]) {
        const dataPlane = [statement.Action].flat().some((a) => /^(dynamodb|sqs|ses|secretsmanager|kms):/.test(a));
        if (dataPlane) expect(JSON.stringify(statement.Resource), id).not.toMatch(/"\*"|:\*"/);
      }
    }
  });
});

describe('mail', () => {
  it('publishes bounces and complaints from a configuration set to an encrypted topic, delivered raw into the events queue', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: { Enabled: true, MatchingEventTypes: Match.arrayWith(['bounce', 'complaint']), SnsDestination: Match.anyValue() },
    });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    const subscriptions = ofType('AWS::SNS::Subscription')
      .map(([, r]) => r.Properties)
      .filter((s) => s.Protocol !== 'email' && !s.FilterPolicy);
    expect(subscriptions).toEqual([expect.objectContaining({ Protocol: 'sqs', RawMessageDelivery: true, RedrivePolicy: expect.anything() })]);
    const eventsQueue = Object.entries(resources).find(
      ([id, r]) => r.Type === 'AWS::SQS::Queue' && id.startsWith(topology.mail.eventsQueue) && id.includes('Queue') && !id.includes('DeadLetter'),
    )!;
    expect(JSON.stringify(subscriptions[0]!.Endpoint)).toContain(eventsQueue[0]);
  });

  it('gives every asynchronously invoked function an on-failure destination, and invokes no other asynchronously', () => {
    // Asynchronous triggers: SNS subscriptions and EventBridge rules. SNS here feeds a queue only.
    expect(ofType('AWS::SNS::Subscription').every(([, r]) => r.Properties.Protocol !== 'lambda')).toBe(true);
    const asyncTargets = new Set(
      ofType('AWS::Events::Rule').flatMap(([, r]) =>
        (r.Properties.Targets as { Arn: { 'Fn::GetAtt': [string, string] } }[]).map((t) => t.Arn['Fn::GetAtt'][0]),
      ),
    );
    expect(asyncTargets.size).toBe(new Set(scheduleNames.map((name) => topology.schedules[name].function)).size);
    const configs = ofType('AWS::Lambda::EventInvokeConfig').map(([, r]) => r.Properties);
    for (const target of asyncTargets) {
      const config = configs.find((c) => JSON.stringify(c.FunctionName).includes(target));
      expect(config, target).toMatchObject({ DestinationConfig: { OnFailure: { Destination: expect.anything() } } });
    }
  });

  it('alarms when the bounce breaker pauses mail to unconfirmed addresses', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'UnverifiedMailPaused', Namespace: 'Leadgate', Threshold: 1 });
  });

  it('alarms on SES reputation: bounce rate over 2.5 %, complaint rate over 0.05 %', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Reputation.BounceRate', Namespace: 'AWS/SES', Threshold: 0.025 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Reputation.ComplaintRate', Namespace: 'AWS/SES', Threshold: 0.0005 });
  });
});

describe('cdk-nag', () => {
  it('fails synth on an unacknowledged finding (the check is live)', () => {
    const app = fastApp();
    const stack = new Stack(app, 'Insecure');
    new Queue(stack, 'PlainQueue');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS3/);
  });

  it('tells someone: every alarm notifies the alarm topic, which mails operations.alarmEmail', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm');
    expect(alarms.length).toBeGreaterThanOrEqual(queueNames.length * 2 + 4);
    const [topicId] = ofType('AWS::SNS::Topic').find(([, r]) => r.Properties.DisplayName === 'Leadgate alarms')!;
    for (const [id, alarm] of alarms) expect(alarm.Properties.AlarmActions, id).toEqual([{ Ref: topicId }]);
    const subscriptions = ofType('AWS::SNS::Subscription').filter(([, r]) => r.Properties.TopicArn?.Ref === topicId);
    expect(subscriptions.map(([, r]) => [r.Properties.Protocol, r.Properties.Endpoint, Boolean(r.Properties.RedrivePolicy)])).toEqual([
      ['email', exampleConfig.operations.alarmEmail, true],
    ]);
  });

  it('alarms on a message in any dead-letter queue, on a stuck work queue, and on a failed scheduled run', () => {
    const described = ofType('AWS::CloudWatch::Alarm').map(([, r]) => String(r.Properties.AlarmDescription));
    for (const name of queueNames) {
      expect(
        described.some((d) => d.startsWith(`Messages in the ${name} dead-letter queue`)),
        name,
      ).toBe(true);
      expect(
        described.some((d) => d.startsWith(`The oldest message in the ${name} queue`)),
        name,
      ).toBe(true);
    }
    expect(described.some((d) => d.startsWith('A scheduled run failed'))).toBe(true);
  });
});

describe('destinations', () => {
  it('fans events out through an encrypted SNS FIFO topic to one FIFO queue per destination, filtered on its id, raw, with a dead-letter queue', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { FifoTopic: true, KmsMasterKeyId: Match.anyValue() });
    const subscriptions = ofType('AWS::SNS::Subscription')
      .map(([, r]) => r.Properties)
      .filter((s) => s.FilterPolicy);
    expect(subscriptions).toHaveLength(destinationIds.length);
    for (const id of destinationIds) {
      expect(subscriptions).toContainEqual(
        expect.objectContaining({
          Protocol: 'sqs',
          RawMessageDelivery: true,
          FilterPolicy: { [`to.${id}`]: [{ exists: true }] },
          RedrivePolicy: expect.anything(),
        }),
      );
    }
    const fifoQueues = ofType('AWS::SQS::Queue').filter(([, q]) => q.Properties.FifoQueue === true);
    expect(fifoQueues).toHaveLength(destinationIds.length * 2);
  });

  it('refuses to deploy a destination reached over plain http (loopback http is for the local runtime only)', () => {
    const stack = new Stack(fastApp(), 'PlainHttp');
    const destinations = { hooks: { ...exampleConfig.destinations['ops-webhook']!, url: 'http://127.0.0.1:9/hook' } };
    expect(() => new LeadgateDestinations(stack, 'Destinations', { topic: topology.topics.events, queues: topology.destinationQueues, destinations })).toThrow(
      /destinations\.hooks\.url: .*https only/,
    );
  });

  it("gives the deliver function each destination's own queue, its dead-letter queue and its secret, at the URLs CloudFormation gives them", () => {
    const deliver = ofType('AWS::Lambda::Function').find(([, f]) => f.Properties.Environment?.Variables?.DESTINATIONS);
    if (!deliver) throw new Error('no function has the DESTINATIONS variable');
    const [, parts] = deliver[1].Properties.Environment.Variables.DESTINATIONS['Fn::Join'] as [string, unknown[]];
    // Each reference as it resolves once deployed: a queue's name ends in its logical id here, a secret's ARN is the secret's.
    const pseudo: Record<string, string> = { 'AWS::Region': 'eu-west-1', 'AWS::URLSuffix': 'amazonaws.com', 'AWS::AccountId': '123456789012' };
    const resolved = parts
      .map((part) => {
        if (typeof part === 'string') return part;
        const { Ref, 'Fn::GetAtt': getAtt } = part as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
        if (Ref) return pseudo[Ref] ?? `arn:secret:${Ref}`;
        expect(getAtt?.[1]).toBe('QueueName');
        return `${stackName}-${getAtt?.[0]}-X.fifo`;
      })
      .join('');
    const bindings = functionEnv({ DESTINATIONS: resolved }).destinations();
    expect(Object.keys(bindings).sort()).toEqual([...destinationIds].sort());
    const logicalIdIn = (url: string) => url.replace(/^.*\/[^-]+-(.+)-X\.fifo$/, '$1');
    for (const id of destinationIds) {
      const { queueName, queueUrl, deadLetterUrl, secret } = bindings[id] as DestinationBinding;
      expect(queueUrl).toBe(`https://sqs.eu-west-1.amazonaws.com/123456789012/${queueName}`);
      const queue = resources[logicalIdIn(queueUrl)];
      // The queue SNS fills with this destination's events, and whose redrive names the dead-letter queue bound beside it.
      const subscription = ofType('AWS::SNS::Subscription').find(([, r]) => r.Properties.FilterPolicy?.[`to.${id}`]);
      expect(subscription?.[1].Properties.Endpoint).toEqual({ 'Fn::GetAtt': [logicalIdIn(queueUrl), 'Arn'] });
      expect(queue?.Properties.RedrivePolicy.deadLetterTargetArn).toEqual({ 'Fn::GetAtt': [logicalIdIn(deadLetterUrl), 'Arn'] });
      const secretId = (secret as { arn: string }).arn.replace('arn:secret:', '');
      expect(String(resources[secretId]?.Properties.Description)).toContain(`destination ${id} `);
    }
  });

  it("refuses at synth, naming the deliver function and the remedy, as many destinations as Lambda's 4 KB of variables cannot hold", () => {
    const synthWith = (count: number) => {
      const app = fastApp();
      const hook = exampleConfig.destinations['ops-webhook']!;
      // Ids at the schema's longest (30 characters): the fewest destinations fit.
      const destinations = Object.fromEntries(Array.from({ length: count }, (_, i) => [`destination-${String(i).padStart(18, '0')}`, hook]));
      new LeadgateStack(app, 'Leadgate', { settings: { ...exampleConfig, destinations }, topology });
      return () => app.synth();
    };
    expect(synthWith(8)).not.toThrow();
    expect(synthWith(9)).toThrow(
      /Leadgate\/deliver\/Function: its environment variables can take \d+ bytes once deployed, over Lambda's 4096-byte limit, so the deploy would fail\. Each destination .*: configure fewer destinations\./,
    );
  });

  it("names each destination's secret in the outputs and alarms on its dead letters and its oldest waiting event", () => {
    const outputs = template.toJSON().Outputs as Record<string, unknown>;
    for (const key of ['DestinationCrmSecretArn', 'DestinationOpsWebhookQueueUrl', 'DestinationSalesChannelDeadLetterQueueUrl'])
      expect(outputs[key], key).toBeDefined();
    const descriptions = ofType('AWS::CloudWatch::Alarm').map(([, a]) => String(a.Properties.AlarmDescription));
    for (const id of destinationIds) {
      expect(descriptions.some((d) => d.startsWith(`Deliveries to ${id} were dead-lettered`))).toBe(true);
      expect(descriptions.some((d) => d.startsWith(`The oldest event waiting for ${id}`))).toBe(true);
    }
  });
});

describe('dashboard', () => {
  it('has one dashboard named after the stack with submissions, queue age, SLA misses, mail rates against their alarms, every DLQ, delivery failures and mail held back', () => {
    const [dashboards, dashboard] = [ofType('AWS::CloudWatch::Dashboard'), ofType('AWS::CloudWatch::Dashboard')[0]?.[1]];
    expect(dashboards).toHaveLength(1);
    expect(dashboard!.Properties.DashboardName).toBe(stackName);
    const body = JSON.stringify(dashboard!.Properties.DashboardBody);
    for (const title of [
      'Submissions by outcome',
      'Oldest message in the routing and email queues',
      'SLA misses',
      'Bounce rate',
      'Complaint rate',
      'Dead-letter queue depths',
      'Destination deliveries that failed',
      'Mail held back',
    ]) {
      expect(body, title).toContain(title);
    }
    for (const metric of ['Submissions', 'StrangerMailRefused', 'NurtureStepsDeferred']) expect(body).toContain(`MetricName=\\\\\\"${metric}\\\\\\"`);
    expect(body).toContain('Reputation.BounceRate');
    expect(body).toContain('"value\\":0.025');
    // Every dead-letter queue's depth: the work queues' and each destination's.
    const deadLetterQueues = [...ofType('AWS::SQS::Queue')].filter(([id]) => /DeadLetter|Dlq|DLQ/i.test(id));
    expect(deadLetterQueues.length).toBe(queueNames.length + destinationIds.length);
    for (const [id] of deadLetterQueues) expect(body, id).toContain(id);
  });
});

describe('edge', () => {
  const captureIdIn = (json: { Resources: Resources }) =>
    Object.entries(json.Resources).find(
      ([, r]) => r.Type === 'AWS::Lambda::Function' && r.Properties.Description === topology.functions.capture.description,
    )?.[0];
  const formsVariables = (json: { Resources: Resources }) =>
    Object.values(json.Resources).find((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Description === topology.functions.forms.description)!
      .Properties.Environment.Variables as Record<string, unknown>;
  const synth = (edge: LeadgateSettings['edge']) => {
    const app = fastApp();
    const stack = new LeadgateStack(app, 'EdgeStack', { settings: { ...exampleConfig, edge }, topology });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
    app.synth(); // no unacknowledged cdk-nag finding
    return Template.fromStack(stack).toJSON() as { Resources: Resources; Outputs: Record<string, { Value: unknown }> };
  };

  it('gives capture a function URL by default, open to any visitor as the API is (both permissions function URLs need since October 2025), named in the CaptureUrl output', () => {
    const json = template.toJSON() as { Resources: Resources; Outputs: Record<string, { Value: unknown }> };
    const captureId = captureIdIn(json);
    expect(captureId).toBeDefined();
    const urls = ofType('AWS::Lambda::Url');
    expect(urls).toHaveLength(1);
    const [urlId, url] = urls[0]!;
    expect(url.Properties.AuthType).toBe('NONE');
    expect(url.Properties.TargetFunctionArn).toEqual({ 'Fn::GetAtt': [captureId, 'Arn'] });
    expect(json.Outputs.CaptureUrl!.Value).toEqual({ 'Fn::GetAtt': [urlId, 'FunctionUrl'] });
    // The hosted page's script posts there: the forms function alone is told the URL.
    expect(formsVariables(json).PUBLIC_CAPTURE_URL).toEqual({ 'Fn::GetAtt': [urlId, 'FunctionUrl'] });
    const told = Object.values(json.Resources).filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.PUBLIC_CAPTURE_URL);
    expect(told).toHaveLength(1);
    const grants = ofType('AWS::Lambda::Permission')
      .map(([, r]) => r.Properties)
      .filter((p) => p.Principal === '*' && JSON.stringify(p.FunctionName).includes(captureId!));
    expect(grants).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Action: 'lambda:InvokeFunctionUrl', FunctionUrlAuthType: 'NONE' }),
        expect.objectContaining({ Action: 'lambda:InvokeFunction', InvokedViaFunctionUrl: true }),
      ]),
    );
    // No ceiling unless asked for; the API still serves every route, the capture function's among them.
    expect(resources[captureId!]!.Properties.ReservedConcurrentExecutions).toBeUndefined();
    expect(ofType('AWS::ApiGatewayV2::Route')).toHaveLength(topology.routes.length);
  });

  it('leaves capture on the API alone with edge.captureFunctionUrl off: CaptureUrl is then the API', () => {
    const json = synth({ captureFunctionUrl: false });
    expect(Object.values(json.Resources).filter((r) => r.Type === 'AWS::Lambda::Url')).toEqual([]);
    expect(json.Outputs.CaptureUrl!.Value).toEqual(json.Outputs.ApiUrl!.Value);
    expect(formsVariables(json).PUBLIC_CAPTURE_URL).toEqual(json.Outputs.ApiUrl!.Value);
  });

  it("puts edge.captureReservedConcurrency's ceiling on capture, with an alarm to the alarm topic when it turns requests away", () => {
    const json = synth({ captureFunctionUrl: true, captureReservedConcurrency: 50 });
    const captureId = captureIdIn(json)!;
    expect(json.Resources[captureId]!.Properties.ReservedConcurrentExecutions).toBe(50);
    const throttled = Object.values(json.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties.MetricName === 'Throttles');
    expect(throttled).toHaveLength(1);
    expect(throttled[0]!.Properties.Dimensions).toEqual([{ Name: 'FunctionName', Value: { Ref: captureId } }]);
    expect(throttled[0]!.Properties.AlarmActions).toHaveLength(1);
  });
});
