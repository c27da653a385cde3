import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { ConfigurationSet, ConfigurationSetEventDestination, EmailIdentity, EventDestination, EmailSendingEvent, Identity } from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

/** SES reputation limits from the bulk-sender rules: act well before SES reviews the account. */
export const BOUNCE_RATE_ALARM = 0.025;
export const COMPLAINT_RATE_ALARM = 0.0005;

/**
 * Outbound mail: a configuration set that publishes bounces and complaints to an encrypted SNS
 * topic consumed by `eventsConsumer`, reputation alarms, and optionally the sending domain's
 * identity with Easy DKIM.
 */
export class LeadgateMail extends Construct {
  readonly configurationSet: ConfigurationSet;
  readonly topic: Topic;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: { eventsConsumer: IFunction; identity: string; manageIdentity: boolean }) {
    super(scope, id);
    const key = new Key(this, 'TopicKey', { description: 'Leadgate SES events topic', enableKeyRotation: true });
    this.topic = new Topic(this, 'Events', { masterKey: key, enforceSSL: true });
    // SES publishes events into the encrypted topic.
    key.grant(new ServicePrincipal('ses.amazonaws.com'), 'kms:GenerateDataKey', 'kms:Decrypt');
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', { reputationMetrics: true });
    new ConfigurationSetEventDestination(this, 'EventDestination', {
      configurationSet: this.configurationSet,
      destination: EventDestination.snsTopic(this.topic),
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
    });
    // Events the consumer fails on wait here, so no bounce or complaint is lost.
    this.deadLetterQueue = new Queue(this, 'EventsDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.topic.addSubscription(new LambdaSubscription(props.eventsConsumer, { deadLetterQueue: this.deadLetterQueue }));
    if (props.manageIdentity) {
      new EmailIdentity(this, 'Identity', { identity: Identity.domain(props.identity), configurationSet: this.configurationSet });
    }
    const alarm = (name: string, metric: string, threshold: number) =>
      new Alarm(this, name, {
        alarmDescription: `${metric} over ${threshold * 100} %`,
        metric: new Metric({ namespace: 'AWS/SES', metricName: metric, statistic: 'Average', period: Duration.hours(1) }),
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    alarm('BounceRateAlarm', 'Reputation.BounceRate', BOUNCE_RATE_ALARM);
    alarm('ComplaintRateAlarm', 'Reputation.ComplaintRate', COMPLAINT_RATE_ALARM);
  }
}
