import { resolve } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  Architecture,
  LoggingFormat,
  ParamsAndSecretsLayerVersion,
  ParamsAndSecretsLogLevel,
  ParamsAndSecretsVersions,
  Runtime,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { LeadgateSettings } from '../../shared/domain/core/settings';
import { type FunctionName, type FunctionSpec, readsSecrets } from '../topology';
import { BUNDLE, BUNDLE_ALIASES, PROJECT_ROOT, settingsDefine } from './bundling';
import { environmentSizeProblems } from './environment-size';

export { PROJECT_ROOT };

/**
 * One Lambda function of the topology: Node 24 (the newest Lambda runtime) on arm64, a minified ESM bundle with the AWS SDK
 * inside (not the runtime's copy), the validated settings compiled in, its own log group; with a
 * secret to read, the AWS Parameters and Secrets Lambda Extension, which it reads it through
 * (shared/adapters/secrets.ts).
 */
export class LeadgateFunction extends Construct {
  readonly fn: NodejsFunction;

  constructor(scope: Construct, id: FunctionName, spec: FunctionSpec, settings: LeadgateSettings) {
    super(scope, id);
    const logGroup = new LogGroup(this, 'Logs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.fn = new NodejsFunction(this, 'Function', {
      entry: resolve(PROJECT_ROOT, spec.entry),
      handler: 'handler',
      description: spec.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: spec.memoryMb,
      timeout: Duration.seconds(spec.timeoutSeconds),
      tracing: Tracing.ACTIVE,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: resolve(PROJECT_ROOT, 'package-lock.json'),
      // The bindings' variables (the service name among them) come from functionEnvironment in the
      // stack. No --enable-source-maps: Node would decode the bundle's map at every cold start
      // (importing route took 1.4 times as long); the logger maps a logged error's frames with the
      // map shipped beside the bundle (shared/adapters/source-mapped-stack.ts).
      ...(readsSecrets(spec)
        ? { paramsAndSecrets: ParamsAndSecretsLayerVersion.fromVersion(ParamsAndSecretsVersions.V1_0_103, { logLevel: ParamsAndSecretsLogLevel.WARN }) }
        : {}),
      bundling: {
        format: OutputFormat.ESM,
        minify: BUNDLE.minify,
        sourceMap: true,
        // Positions only: the map is a third of the size (a smaller package) and a logged error's first mapping parses it 50-60 ms sooner.
        sourcesContent: false,
        target: BUNDLE.target,
        mainFields: [...BUNDLE.mainFields],
        externalModules: [...BUNDLE.external],
        banner: BUNDLE.banner,
        define: settingsDefine(settings),
        esbuildArgs: Object.fromEntries(Object.entries(BUNDLE_ALIASES).map(([from, to]) => [`--alias:${from}`, to])),
        forceDockerBundling: false,
        ...(spec.files?.length
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (inputDir: string, outputDir: string) =>
                  (spec.files ?? []).map((file) => `cp "${inputDir}/${file.from}" "${outputDir}/${file.to}"`),
              },
            }
          : {}),
      },
    });
    this.node.addValidation({
      validate: () =>
        environmentSizeProblems(
          this.fn,
          spec.access.destinations
            ? "Each destination adds its queues' names and its secret's ARN to them: configure fewer destinations."
            : 'Bind fewer resources to it in infra/topology.ts.',
        ),
    });
  }
}
