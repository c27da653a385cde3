import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { loadConfigFile } from '../shared/config/load';
import { LeadgateStack } from './stack';
import { topology } from './topology';

/** Builds the CDK app; tests call this with their own App to skip bundling or validation. */
export function buildApp(app = new App()): { app: App; stack: LeadgateStack } {
  const settings = loadConfigFile();
  const stack = new LeadgateStack(app, app.node.tryGetContext('stackName') ?? 'Leadgate', {
    settings,
    topology,
    description: 'Leadgate: privacy-first lead capture and routing',
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  return { app, stack };
}
