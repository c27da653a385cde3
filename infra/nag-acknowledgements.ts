import { type Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { Rule } from 'aws-cdk-lib/aws-events';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { LeadgateApi } from './constructs/api';
import type { LeadgateFunction } from './constructs/functions';
import type { WorkQueue } from './constructs/queues';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { LeadgateDestinations } from './constructs/destinations';

const acknowledge = (scope: IConstruct, id: string, reason: string) => Validations.of(scope).acknowledge({ id, reason });

/** Every cdk-nag finding we accept, each with the reason we accept it. Anything else fails synth. */
export function acknowledgeFindings(
  stack: Stack,
  parts: {
    hmacSecret: Secret;
    turnstileSecret: Secret | undefined;
    api: LeadgateApi;
    functions: readonly LeadgateFunction[];
    /** The functions EventBridge schedules invoke (asynchronously). */
    scheduled: readonly LeadgateFunction[];
    queues: readonly WorkQueue[];
    schedules: readonly Rule[];
    asyncFailures: Queue;
    /** The dead-letter queue of the alarm topic's email subscription. */
    undeliveredNotifications: Queue;
    destinations: LeadgateDestinations;
  },
): void {
  void stack;
  acknowledge(
    parts.api,
    'AwsSolutions::AwsSolutions-APIG4',
    "Public capture endpoints: any visitor of a marketer's site must be able to post a form without credentials. Abuse is limited by stage throttling, body size limits, validation and the honeypot.",
  );
  acknowledge(
    parts.hmacSecret,
    'AwsSolutions::AwsSolutions-SMG4',
    "The HMAC key derives every lead's table key; automatic rotation would orphan existing leads. It is rotated deliberately, with a re-keying run (docs: operations).",
  );
  if (parts.turnstileSecret) {
    acknowledge(
      parts.turnstileSecret,
      'AwsSolutions::AwsSolutions-SMG4',
      'The Turnstile secret is issued by Cloudflare; it is rotated there and then updated here, not by a Lambda rotation.',
    );
  }
  for (const fn of parts.functions) {
    acknowledge(
      fn,
      'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      "AWSLambdaBasicExecutionRole only allows writing the function's own CloudWatch logs.",
    );
    acknowledge(
      fn,
      'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      'Only X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) uses Resource *: those actions support no resource-level permissions. A test asserts no other statement does.',
    );
    acknowledge(
      fn,
      'Serverless::Serverless-LambdaDLQ',
      parts.scheduled.includes(fn)
        ? 'Invoked asynchronously by its EventBridge schedule: a failed invocation goes to the on-failure destination (the AsyncFailures queue, EventInvokeConfig), which supersedes a function DLQ. A test asserts it.'
        : "Never invoked asynchronously: API Gateway invokes synchronously, and SQS event source mappings (SES events included, which SNS delivers into a queue) dead-letter failed messages in the queue's own DLQ. A test asserts that no function has an SNS or other asynchronous trigger without a destination.",
    );
    acknowledge(
      fn,
      'Serverless::Serverless-LambdaEventSourceMappingDestination',
      "SQS event source mappings do not support on-failure destinations; failed messages move to the queue's dead-letter queue after its max receive count.",
    );
  }
  for (const queue of parts.queues) {
    acknowledge(
      queue.deadLetterQueue,
      'Serverless::Serverless-SQSRedrivePolicy',
      'This is a dead-letter queue: the end of the redrive chain. Messages are inspected and redriven by an operator.',
    );
  }
  for (const schedule of parts.schedules) {
    acknowledge(
      schedule,
      'Serverless::Serverless-EventBusDLQ',
      'Scheduled sweeps are idempotent and run again every few minutes: a failed run is retried twice and then simply covered by the next run, so there is nothing to dead-letter.',
    );
  }
  for (const [destinationId, { deadLetterQueue, secret }] of Object.entries(parts.destinations.destinations)) {
    for (const id of ['AwsSolutions::AwsSolutions-SQS3', 'Serverless::Serverless-SQSRedrivePolicy']) {
      acknowledge(
        deadLetterQueue,
        id,
        `The dead-letter queue of destination ${destinationId}: the end of the chain, alarmed on, inspected with \`leadgate deliveries list\` and redriven with \`leadgate deliveries redrive\`.`,
      );
    }
    acknowledge(
      secret,
      'AwsSolutions::AwsSolutions-SMG4',
      "A destination's secret is issued by the destination (a receiver's signing key, a HubSpot private app token, a Slack webhook URL): it is rotated there and then put here, as docs/operations.md describes; Secrets Manager cannot rotate it alone.",
    );
  }
  for (const id of ['AwsSolutions::AwsSolutions-SQS3', 'Serverless::Serverless-SQSRedrivePolicy']) {
    acknowledge(
      parts.asyncFailures,
      id,
      "This queue is the on-failure destination of the scheduled functions' asynchronous invocations: the end of the chain, inspected by an operator (the next scheduled run redoes the work).",
    );
    acknowledge(
      parts.undeliveredNotifications,
      id,
      "This queue is the dead-letter queue of the alarm topic's email subscription (SNS redrive policy): the end of the chain, inspected by an operator.",
    );
  }
}
