import { parseArgs } from 'node:util';
import { ConfigError } from '../../shared/config/load';
import { DATA_DIR } from './names';
import { DEFAULT_PORTS, startLocalRuntime } from './runtime';

const started = performance.now();
const { values } = parseArgs({ options: { fresh: { type: 'boolean', default: false } }, strict: true });
const port = (name: string, fallback: number) => {
  const value = process.env[name];
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535) {
    console.error(`${name} must be a port number, not "${value}"`);
    process.exit(1);
  }
  return parsed;
};

try {
  const runtime = await startLocalRuntime({
    ports: {
      api: port('PORT', DEFAULT_PORTS.api),
      capture: port('LEADGATE_CAPTURE_PORT', DEFAULT_PORTS.capture),
      dynamodb: port('LEADGATE_DYNAMODB_PORT', DEFAULT_PORTS.dynamodb),
      sqs: port('LEADGATE_SQS_PORT', DEFAULT_PORTS.sqs),
      ses: port('LEADGATE_SES_PORT', DEFAULT_PORTS.ses),
    },
    dataDir: DATA_DIR,
    fresh: values.fresh,
    log: (line) => console.error(line),
  });
  const { api, capture, dynamodb, sqs, ses } = runtime.urls;
  const { version } = runtime.config.purposes.sales_contact?.consentText ?? { version: '<consent version>' };
  console.log(`
Leadgate is running locally (ready in ${Math.round(performance.now() - started)} ms)

  Demo page        ${api}/   (the forms, their embed snippets, the mail viewer)
  API              ${api}
  Capture URL      ${capture}   (${capture === api ? 'the API: edge.captureFunctionUrl is off' : "capture's function URL: embedded forms get their render token and post here"})
  Mail viewer      ${ses}   (every email sent, with its headers)
  DynamoDB         ${dynamodb}   (table ${runtime.tableName}, data in .leadgate/)
  SQS              ${sqs}   (queue URLs: ${Object.values(runtime.queues)
    .map((q) => q.url)
    .join(', ')})

Forms: ${Object.keys(runtime.config.forms).join(', ')}

Try it: open ${api}/forms/contact, or post directly; the rep's assignment email appears in the
mail viewer a second later:
  curl -i ${api}/forms/contact/submissions \\
    -H 'content-type: application/json' \\
    -d '{"email":"ada@example.com","firstName":"Ada","company":"Analytical Engines","country":"GB","consent":["sales_contact"],"consentVersion":"${version}"}'

Ctrl-C stops everything; \`npm start -- --fresh\` starts with empty data.
`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping Leadgate...');
    await runtime.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
} catch (error) {
  if (error instanceof ConfigError) console.error(error.message);
  else console.error(`Leadgate could not start: ${(error as Error).message}`);
  process.exit(1);
}
