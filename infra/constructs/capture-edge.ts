import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { type CfnFunction, FunctionUrlAuthType, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { EdgeSettings } from '../../shared/domain/core/settings';

/**
 * Where embedded forms reach capture. By default the capture function has a Lambda function URL
 * (no per-request edge charge, and no shared stage throttle that one flood could fill for every
 * visitor); `edge.captureReservedConcurrency` puts a ceiling on what a flood can cost, with an
 * alarm when the ceiling turns requests away.
 */
export class CaptureEdge extends Construct {
  /** The function URL, when the capture function has one. */
  readonly url: string | undefined;

  constructor(scope: Construct, id: string, props: { capture: IFunction; edge: EdgeSettings }) {
    super(scope, id);
    const { capture, edge } = props;
    // CDK grants both lambda:InvokeFunctionUrl and lambda:InvokeFunction (via the URL only), as
    // function URLs created since October 2025 require.
    this.url = edge.captureFunctionUrl ? capture.addFunctionUrl({ authType: FunctionUrlAuthType.NONE }).url : undefined;
    if (edge.captureReservedConcurrency === undefined) return;
    (capture.node.defaultChild as CfnFunction).reservedConcurrentExecutions = edge.captureReservedConcurrency;
    new Alarm(this, 'Throttled', {
      alarmDescription:
        'Capture turned requests away at its ceiling (edge.captureReservedConcurrency): a flood, or leads outgrowing the ceiling. The embed script retries a refused post; raise the ceiling if the traffic is real.',
      metric: capture.metricThrottles({ statistic: 'Sum', period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
