import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import type { QueueName } from '../topology';
import type { WorkQueue } from './queues';

/** A message older than this in a work queue means its consumer is stuck or failing. */
export const OLDEST_MESSAGE_ALARM_SECONDS = 15 * 60;

/**
 * Alarms that reach someone: an encrypted SNS topic every alarm of the stack notifies (with an
 * email subscription when `operations.alarmEmail` is set; subscribe anything else to the topic
 * in its output), plus alarms on what must never sit unnoticed: a message in any dead-letter
 * queue, a failed scheduled run, and a work queue whose oldest message is too old.
 */
export class LeadgateAlarms extends Construct {
  readonly topic: Topic;
  readonly undelivered: Queue;

  constructor(scope: Construct, id: string, props: { alarmEmail: string | undefined; queues: Record<QueueName, WorkQueue>; asyncFailures: Queue }) {
    super(scope, id);
    const key = new Key(this, 'TopicKey', { description: 'Leadgate alarm notifications', enableKeyRotation: true });
    // CloudWatch publishes alarm notifications into the encrypted topic.
    key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:GenerateDataKey*', 'kms:Decrypt');
    this.topic = new Topic(this, 'Topic', { displayName: 'Leadgate alarms', masterKey: key, enforceSSL: true });
    // A notification SNS cannot deliver (the address bounces) waits here 14 days rather than vanishing.
    this.undelivered = new Queue(this, 'UndeliveredNotifications', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail, { deadLetterQueue: this.undelivered }));

    const anyMessage = (name: string, queue: Queue, what: string) =>
      new Alarm(this, name, {
        alarmDescription: what,
        metric: queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(5) }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    for (const [name, queue] of Object.entries(props.queues)) {
      anyMessage(
        `${name}DeadLetters`,
        queue.deadLetterQueue,
        `Messages in the ${name} dead-letter queue: fix the cause, then \`npx leadgate dlq redrive --queue ${name} --stack STACK\`.`,
      );
      new Alarm(this, `${name}OldestMessage`, {
        alarmDescription: `The oldest message in the ${name} queue is over ${OLDEST_MESSAGE_ALARM_SECONDS / 60} minutes old: its consumer is stuck or failing.`,
        metric: queue.queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: Duration.minutes(5) }),
        threshold: OLDEST_MESSAGE_ALARM_SECONDS,
        evaluationPeriods: 2,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    }
    anyMessage(
      'AsyncFailures',
      props.asyncFailures,
      'A scheduled run failed after its retries (see the AsyncFailures queue); the next run redoes its work, but find the cause.',
    );
  }

  /** Every alarm under `scope` notifies the topic (call once the stack's alarms all exist). */
  notifyFrom(scope: IConstruct): void {
    const action = new SnsAction(this.topic);
    for (const construct of scope.node.findAll()) if (construct instanceof Alarm) construct.addAlarmAction(action);
  }
}
