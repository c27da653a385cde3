import { Aws, CfnOutput, Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Key } from 'aws-cdk-lib/aws-kms';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { SubscriptionFilter, Topic } from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { destinationAttribute } from '../../shared/adapters/sns-event-publisher';
import type { DestinationSettings } from '../../shared/domain/core/settings';
import type { DestinationsVariable } from '../../shared/config/function-env';
import type { DestinationQueueSpec, TopicSpec } from '../topology';
import { destinationOutputKey } from './destination-names';

/** A destination's oldest undelivered event older than this means it has been failing for a while. */
export const DESTINATION_OLDEST_ALARM_SECONDS = 3600;

export interface DestinationResources {
  queue: Queue;
  deadLetterQueue: Queue;
  secret: Secret;
}

/**
 * The events topic (SNS FIFO, encrypted, TLS-only) and, per configured destination, a FIFO queue
 * subscribed with a filter on its id (raw delivery), a FIFO dead-letter queue, the secret its
 * deliveries are signed or authorised with (value set after deploying, named in the outputs), the
 * deliver function's event source capped at the destination's concurrency, and alarms on its
 * dead letters and on the age of its oldest undelivered event.
 */
export class LeadgateDestinations extends Construct {
  readonly topic: Topic;
  readonly topicKey: Key;
  readonly destinations: Record<string, DestinationResources> = {};

  constructor(scope: Construct, id: string, props: { topic: TopicSpec; queues: DestinationQueueSpec; destinations: Record<string, DestinationSettings> }) {
    super(scope, id);
    this.topicKey = new Key(this, 'TopicKey', { description: 'Leadgate lead events for destinations', enableKeyRotation: true });
    this.topic = new Topic(this, 'Topic', { displayName: props.topic.description, fifo: true, masterKey: this.topicKey, enforceSSL: true });
    for (const [destinationId, destination] of Object.entries(props.destinations)) {
      if (destination.url !== undefined && !destination.url.startsWith('https://')) {
        throw new Error(
          `destinations.${destinationId}.url: a deployed destination is called over https only (plain http is for 127.0.0.1 in the local runtime)`,
        );
      }
      const deadLetterQueue = new Queue(this, `${destinationId}DeadLetterQueue`, {
        fifo: true,
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      const queue = new Queue(this, `${destinationId}Queue`, {
        fifo: true,
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(4),
        visibilityTimeout: Duration.seconds(props.queues.visibilityTimeoutSeconds),
        deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: props.queues.maxReceiveCount },
      });
      this.topic.addSubscription(
        new SqsSubscription(queue, {
          rawMessageDelivery: true,
          // What SNS cannot put in the queue lands beside what the deliverer gave up on.
          deadLetterQueue,
          filterPolicy: { [destinationAttribute(destinationId)]: SubscriptionFilter.existsFilter() },
        }),
      );
      const secret = new Secret(this, `${destinationId}Secret`, {
        description: `Leadgate destination ${destinationId} (${destination.type}): ${SECRET_MEANING[destination.type]}; set its value after deploying`,
      });
      this.destinations[destinationId] = { queue, deadLetterQueue, secret };
      const key = destinationOutputKey(destinationId);
      new CfnOutput(this, `${key}SecretArn`, {
        key: `${key}SecretArn`,
        value: secret.secretArn,
        description: `Put the ${SECRET_MEANING[destination.type]} here`,
      });
      new CfnOutput(this, `${key}QueueUrl`, { key: `${key}QueueUrl`, value: queue.queueUrl });
      new CfnOutput(this, `${key}DeadLetterQueueUrl`, {
        key: `${key}DeadLetterQueueUrl`,
        value: deadLetterQueue.queueUrl,
        description: `Redrive with \`npx leadgate deliveries redrive --destination ${destinationId}\``,
      });
      new Alarm(this, `${destinationId}DeadLetters`, {
        alarmDescription: `Deliveries to ${destinationId} were dead-lettered (a final refusal, or 24 hours of failures): \`npx leadgate deliveries list --destination ${destinationId}\`, fix the cause, then \`npx leadgate deliveries redrive --destination ${destinationId}\`.`,
        metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(5) }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      new Alarm(this, `${destinationId}OldestEvent`, {
        alarmDescription: `The oldest event waiting for ${destinationId} is over an hour old: the destination is failing and deliveries are being retried.`,
        metric: queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: Duration.minutes(5) }),
        threshold: DESTINATION_OLDEST_ALARM_SECONDS,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    }
  }

  /** Publish to the topic: sns:Publish on it and the topic key's two data-key actions, no wildcard. */
  grantPublish(fn: IFunction): void {
    fn.addToRolePolicy(new PolicyStatement({ actions: ['sns:Publish'], resources: [this.topic.topicArn] }));
    this.topicKey.grant(fn, 'kms:GenerateDataKey', 'kms:Decrypt');
  }

  /** The deliver function consumes every destination's queue, each capped at the destination's concurrency, and may retry and dead-letter. */
  connectConsumer(fn: IFunction, spec: DestinationQueueSpec, destinations: Record<string, DestinationSettings>): void {
    for (const [destinationId, { queue, deadLetterQueue, secret }] of Object.entries(this.destinations)) {
      fn.addEventSource(
        new SqsEventSource(queue, {
          batchSize: spec.batchSize,
          reportBatchItemFailures: true,
          maxConcurrency: destinations[destinationId]?.maxConcurrency ?? 2,
        }),
      );
      queue.grant(fn, 'sqs:ChangeMessageVisibility');
      deadLetterQueue.grantSendMessages(fn);
      secret.grantRead(fn);
    }
  }

  /** What the deliver function's environment says about each destination: its queues' names and its secret's ARN. */
  bindings(): DestinationsVariable {
    return {
      // The URL CloudFormation gives a queue (https://sqs.<region>.amazonaws.com/<account>/<name>), less the name.
      queueUrlBase: `https://sqs.${Aws.REGION}.${Aws.URL_SUFFIX}/${Aws.ACCOUNT_ID}/`,
      destinations: Object.fromEntries(
        Object.entries(this.destinations).map(([id, { queue, deadLetterQueue, secret }]) => [
          id,
          { queue: queue.queueName, deadLetterQueue: deadLetterQueue.queueName, secret: { arn: secret.secretArn } },
        ]),
      ),
    };
  }
}

const SECRET_MEANING: Record<DestinationSettings['type'], string> = {
  webhook: 'Standard Webhooks signing secret (whsec_...)',
  hubspot: 'HubSpot private app access token',
  slack: 'Slack incoming webhook URL',
};
