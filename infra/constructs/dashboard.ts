import { Duration, Stack } from 'aws-cdk-lib';
import { Dashboard, GraphWidget, type HorizontalAnnotation, MathExpression, Metric, TextWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { QueueName } from '../topology';
import { OLDEST_MESSAGE_ALARM_SECONDS } from './alarms';
import type { DestinationResources } from './destinations';
import { BOUNCE_RATE_ALARM, COMPLAINT_RATE_ALARM } from './mail';
import type { WorkQueue } from './queues';

const FIVE_MINUTES = Duration.minutes(5);

const alarmLine = (value: number, label: string): HorizontalAnnotation => ({ value, label, color: '#d13212' });

/** Every series of a custom metric, whatever its dimensions (a form or destination added later shows up by itself). */
const search = (metricName: string, label: string, filter = '') =>
  new MathExpression({
    expression: `SEARCH('{Leadgate} MetricName="${metricName}"${filter}', 'Sum', 300)`,
    label,
    period: FIVE_MINUTES,
  });

/**
 * The stack's CloudWatch dashboard, named after the stack: submissions by outcome, routing and
 * email queue age, SLA misses, bounce and complaint rates against their alarms, dead-letter
 * queue depths, destination delivery failures, and mail held back (refused to unconfirmed addresses,
 * nurture steps deferred). No widget shows a person.
 */
export class LeadgateDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: { queues: Record<QueueName, WorkQueue>; destinations: Record<string, DestinationResources> }) {
    super(scope, id);
    const stackName = Stack.of(this).stackName;
    const deadLetterQueues: [string, Queue][] = [
      ...Object.entries(props.queues).map(([name, q]): [string, Queue] => [name, q.deadLetterQueue]),
      ...Object.entries(props.destinations).map(([name, d]): [string, Queue] => [`destination ${name}`, d.deadLetterQueue]),
    ];
    this.dashboard = new Dashboard(this, 'Dashboard', { dashboardName: stackName, defaultInterval: Duration.days(1) });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown: `# Leadgate: ${stackName}\nCounts only, never a person. Reports: \`npx leadgate report funnel --stack ${stackName}\`.`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'Submissions by outcome (per form)', left: [search('Submissions', 'submissions')], width: 12 }),
      new GraphWidget({
        title: 'Oldest message in the routing and email queues (s)',
        left: (['routing', 'email'] as const).map((name) =>
          props.queues[name].queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: FIVE_MINUTES, label: name }),
        ),
        leftAnnotations: [alarmLine(OLDEST_MESSAGE_ALARM_SECONDS, 'alarm')],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'SLA misses (reassigned or left with the last rep)',
        left: [
          new Metric({
            namespace: 'Leadgate',
            metricName: 'SlaMisses',
            dimensionsMap: { service: 'leadgate-sla-sweep' },
            statistic: 'Sum',
            period: FIVE_MINUTES,
          }),
        ],
        width: 8,
      }),
      new GraphWidget({
        title: 'Bounce rate',
        left: [new Metric({ namespace: 'AWS/SES', metricName: 'Reputation.BounceRate', statistic: 'Average', period: Duration.hours(1) })],
        leftAnnotations: [alarmLine(BOUNCE_RATE_ALARM, 'alarm')],
        width: 8,
      }),
      new GraphWidget({
        title: 'Complaint rate',
        left: [new Metric({ namespace: 'AWS/SES', metricName: 'Reputation.ComplaintRate', statistic: 'Average', period: Duration.hours(1) })],
        leftAnnotations: [alarmLine(COMPLAINT_RATE_ALARM, 'alarm')],
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Dead-letter queue depths',
        left: deadLetterQueues.map(([label, queue]) => queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: FIVE_MINUTES, label })),
        leftAnnotations: [alarmLine(1, 'alarm')],
        width: 12,
      }),
      new GraphWidget({
        title: 'Destination deliveries that failed (retrying or dead-lettered)',
        left: [search('Deliveries', 'failed deliveries', ' outcome=("failed" OR "dead_lettered")')],
        width: 12,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Mail held back: to unconfirmed addresses, refused (by reason); nurture steps whose send failed at routing, left for the scheduler',
        left: [search('StrangerMailRefused', 'refused'), search('NurtureStepsDeferred', 'deferred')],
        width: 24,
      }),
    );
  }
}
