import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { DEFAULT_EDGE, type LeadgateSettings } from '../shared/domain/core/settings';
import { LeadgateAlarms } from './constructs/alarms';
import { LeadgateApi } from './constructs/api';
import { LeadgateFunction } from './constructs/functions';
import { LeadStore } from './constructs/store';
import { LeadgateMail } from './constructs/mail';
import { WorkQueue } from './constructs/queues';
import { LeadgateDestinations } from './constructs/destinations';
import { LeadgateDashboard } from './constructs/dashboard';
import { CaptureEdge } from './constructs/capture-edge';
import { acknowledgeFindings } from './nag-acknowledgements';
import {
  functionEnvironment,
  functionNames,
  queueNames,
  scheduleNames,
  type BoundResources,
  type FunctionName,
  type QueueName,
  type Topology,
} from './topology';
import type { SecretName } from '../shared/config/function-env';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';

export interface LeadgateStackProps extends StackProps {
  settings: LeadgateSettings;
  topology: Topology;
}

/** Table actions per access level. Only readWriteDelete (the privacy function) may delete. */
export const TABLE_ACTIONS = {
  none: [],
  read: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem'],
  readWrite: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'],
  readWriteDelete: [
    'dynamodb:GetItem',
    'dynamodb:Query',
    'dynamodb:BatchGetItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:ConditionCheckItem',
    'dynamodb:DeleteItem',
  ],
} as const;
const KEY_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'];

/** Builds every AWS resource from the topology (design §3). */
export class LeadgateStack extends Stack {
  readonly functions: Record<FunctionName, LeadgateFunction>;

  constructor(scope: Construct, id: string, props: LeadgateStackProps) {
    super(scope, id, props);
    const { topology, settings } = props;

    const store = new LeadStore(this, 'Store', topology.table);
    const queues = Object.fromEntries(queueNames.map((name) => [name, new WorkQueue(this, name, topology.queues[name])])) as Record<QueueName, WorkQueue>;
    const hmacSecret = new Secret(this, 'HmacSecret', {
      description: 'Leadgate HMAC key for email hashes and submission claims',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });

    // Created only with Turnstile on; its value (the Cloudflare secret key) is set after deployment.
    const turnstileSecret = settings.screening.turnstile.enabled
      ? new Secret(this, 'TurnstileSecret', { description: 'Cloudflare Turnstile secret key (set its value after deploying)' })
      : undefined;

    this.functions = Object.fromEntries(functionNames.map((name) => [name, new LeadgateFunction(this, name, topology.functions[name], settings)])) as Record<
      FunctionName,
      LeadgateFunction
    >;

    const api = new LeadgateApi(this, 'Http', topology.routes, Object.fromEntries(functionNames.map((name) => [name, this.functions[name].fn])) as never);
    // Embedded forms fetch their render token and post (the hosted page's script too) at capture's own URL unless edge.captureFunctionUrl is off.
    const edge = new CaptureEdge(this, 'CaptureEdge', { capture: this.functions.capture.fn, edge: settings.edge ?? DEFAULT_EDGE });
    const mail = new LeadgateMail(this, 'Mail', {
      eventsQueue: queues[topology.mail.eventsQueue].queue,
      eventsDeadLetterQueue: queues[topology.mail.eventsQueue].deadLetterQueue,
      identity: settings.sender.identity,
      manageIdentity: settings.sender.manageIdentity,
    });

    const events = new LeadgateDestinations(this, 'Destinations', {
      topic: topology.topics.events,
      queues: topology.destinationQueues,
      destinations: settings.destinations,
    });

    const secrets: Record<SecretName, Secret | undefined> = { hmac: hmacSecret, turnstile: turnstileSecret };
    const resources: BoundResources = {
      tableName: store.table.tableName,
      publicApiUrl: api.url,
      captureUrl: edge.url ?? api.url,
      queueUrl: (queue) => queues[queue].queue.queueUrl,
      topicArn: () => events.topic.topicArn,
      destinations: () => events.bindings(),
      sesConfigurationSet: mail.configurationSet.configurationSetName,
      secret: (name) => (secrets[name] ? { arn: secrets[name].secretArn } : undefined),
    };
    for (const name of functionNames) {
      const spec = topology.functions[name];
      const fn = this.functions[name].fn;
      for (const [variable, value] of Object.entries(functionEnvironment(spec, resources))) fn.addEnvironment(variable, value);
      // The grants follow the same bindings as the environment.
      if (spec.access.table !== 'none') {
        fn.addToRolePolicy(
          new PolicyStatement({
            actions: [...TABLE_ACTIONS[spec.access.table]],
            resources: [store.table.tableArn, ...topology.table.indexes.map((index) => `${store.table.tableArn}/index/${index.name}`)],
          }),
        );
        store.key.grant(fn, ...KEY_ACTIONS);
      }
      if (spec.access.sendsEmail) {
        fn.addToRolePolicy(
          new PolicyStatement({
            actions: ['ses:SendEmail'],
            resources: [
              this.formatArn({ service: 'ses', resource: 'identity', resourceName: settings.sender.identity }),
              this.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: mail.configurationSet.configurationSetName }),
            ],
          }),
        );
      }
      for (const queue of spec.access.sendsTo) queues[queue].queue.grantSendMessages(fn);
      if (spec.access.publishesTo.length) events.grantPublish(fn);
      if (spec.access.destinations) events.connectConsumer(fn, topology.destinationQueues, settings.destinations);
      for (const secret of spec.access.secrets) secrets[secret]?.grantRead(fn);
    }

    for (const name of queueNames) {
      const spec = topology.queues[name];
      this.functions[spec.consumer].fn.addEventSource(
        new SqsEventSource(queues[name].queue, {
          batchSize: spec.batchSize,
          maxBatchingWindow: Duration.seconds(spec.maxBatchingWindowSeconds),
          reportBatchItemFailures: true,
          maxConcurrency: spec.maxConcurrency,
        }),
      );
    }

    // EventBridge invokes scheduled functions asynchronously: a run that fails after Lambda's
    // retries lands here (and raises its alarm) instead of vanishing. The next run redoes its work.
    const asyncFailures = new Queue(this, 'AsyncFailures', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const schedules: Rule[] = [];
    for (const name of scheduleNames) {
      const spec = topology.schedules[name];
      this.functions[spec.function].fn.configureAsyncInvoke({ retryAttempts: 2, onFailure: new SqsDestination(asyncFailures) });
      const rule = new Rule(this, `${name}Schedule`, {
        description: `Runs ${spec.function} every ${spec.everyMinutes} minutes`,
        schedule: Schedule.rate(Duration.minutes(spec.everyMinutes)),
        targets: [new LambdaFunction(this.functions[spec.function].fn, { retryAttempts: 2 })],
      });
      schedules.push(rule);
    }

    const dashboard = new LeadgateDashboard(this, 'Dashboard', { queues, destinations: events.destinations });
    new CfnOutput(this, 'DashboardName', { value: dashboard.dashboard.dashboardName, description: 'The CloudWatch dashboard of this stack' });
    const alarms = new LeadgateAlarms(this, 'Alarms', { alarmEmail: settings.operations?.alarmEmail, queues, asyncFailures });
    alarms.notifyFrom(this);
    new CfnOutput(this, 'AlarmTopicArn', {
      value: alarms.topic.topicArn,
      description: 'Every alarm notifies this topic: subscribe on-call (email, chat, paging) to it',
    });

    new CfnOutput(this, 'ApiUrl', { value: api.url, description: 'Base URL of the capture API' });
    new CfnOutput(this, 'CaptureUrl', {
      value: edge.url ?? api.url,
      description: edge.url
        ? "Capture's function URL, where embedded forms fetch their render token and post (npx leadgate embed FORM --stack NAME)"
        : 'Where embedded forms post: the API (edge.captureFunctionUrl is off)',
    });
    new CfnOutput(this, 'TableName', { value: store.table.tableName });
    for (const name of queueNames) {
      new CfnOutput(this, `${name}QueueUrl`, { value: queues[name].queue.queueUrl });
      new CfnOutput(this, `${name}DeadLetterQueueUrl`, {
        value: queues[name].deadLetterQueue.queueUrl,
        description: 'Redrive with `npx leadgate dlq redrive`',
      });
    }
    new CfnOutput(this, 'AsyncFailuresQueueUrl', { value: asyncFailures.queueUrl, description: 'Failed scheduled runs (Lambda on-failure destination)' });
    new CfnOutput(this, 'EventsTopicArn', { value: events.topic.topicArn, description: 'Lead events for the destinations (SNS FIFO)' });
    new CfnOutput(this, 'HmacSecretArn', { value: hmacSecret.secretArn, description: 'Read by the leadgate CLI (--stack)' });

    acknowledgeFindings(this, {
      hmacSecret,
      turnstileSecret,
      api,
      functions: Object.values(this.functions),
      scheduled: scheduleNames.map((name) => this.functions[topology.schedules[name].function]),
      queues: Object.values(queues),
      schedules,
      asyncFailures,
      undeliveredNotifications: alarms.undelivered,
      destinations: events,
    });
  }
}
