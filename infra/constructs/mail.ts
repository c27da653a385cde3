import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { ConfigurationSet, ConfigurationSetEventDestination, EmailIdentity, EventDestination, EmailSendingEvent, Identity } from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { UNVERIFIED_MAIL_PAUSED_METRIC } from '../../shared/domain/screening/stranger-mail';

/** SES reputation limits from the bulk-sender rules: act well before SES reviews the account. */
export const BOUNCE_RATE_ALARM = 0.025;
export const COMPLAINT_RATE_ALARM = 0.0005;

/**
 * Outbound mail: a configuration set that publishes bounces and complaints to an encrypted SNS
 * topic, delivered (raw) into `eventsQueue`, whose consumer retries and dead-letters them like
 * any queue's; reputation alarms; and optionally the sending domain's identity with Easy DKIM.
 */
export class LeadgateMail extends Construct {
  readonly configurationSet: ConfigurationSet;
  readonly topic: Topic;

  constructor(scope: Construct, id: string, props: { eventsQueue: IQueue; eventsDeadLetterQueue: IQueue; identity: string; manageIdentity: boolean }) {
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
    // SNS retries delivery into the queue, and dead-letters what it cannot deliver into the queue's
    // own DLQ; from the queue, an event the consumer fails on is retried, then dead-lettered too.
    // One DLQ, one redrive (`npx leadgate dlq redrive --queue mailEvents`): no event is lost.
    this.topic.addSubscription(new SqsSubscription(props.eventsQueue, { rawMessageDelivery: true, deadLetterQueue: props.eventsDeadLetterQueue }));
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
    // The bounce breaker paused mail to unconfirmed addresses (confirmations, privacy-request mails).
    new Alarm(this, 'UnverifiedMailPausedAlarm', {
      alarmDescription:
        'Mail to unconfirmed addresses is paused: its hard-bounce rate passed mailBudget.breaker.bounceRate. See docs/operations.md, then `npx leadgate mail resume`.',
      metric: new Metric({
        namespace: 'Leadgate',
        metricName: UNVERIFIED_MAIL_PAUSED_METRIC,
        dimensionsMap: { service: 'leadgate-ses-events' },
        statistic: 'Sum',
        period: Duration.minutes(5),
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
