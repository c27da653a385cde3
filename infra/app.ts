// CDK app entry (cdk.json): `npx cdk synth` / `npx cdk deploy`.
import { buildApp } from './build-app';

buildApp().app.synth();
