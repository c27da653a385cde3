import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../infra/local/runtime';
import { CONSENT_VERSION } from '../support/example-config';
import { eventually, post, postLocal, scanTable, startTestRuntime } from '../support/local-runtime';
import { mailTo, sentMail } from '../support/mail';

/** Personal data seeded into the pipeline; none of it may appear in any log line. */
const PERSON = {
  email: 'Zenobia.Quackenbush@seeded-pii.example',
  firstName: 'Zenobia',
  lastName: 'Quackenbush',
  company: 'Quackenbush Widgets',
  phone: '+44 20 7946 0958',
  message: 'Please call me about the xylophone rollout',
  jobTitle: 'Head of Xylophones',
  country: 'GB',
};

/** The destinations' secrets, given so the scan can look for them: no log line may hold one either. */
const DESTINATION_SECRETS = { crm: 'pat-local-seeded-secret-0f3c9a', 'ops-webhook': 'whsec_c2VlZGVkLXNlY3JldC13ZWJob29rLWtleQ==' };

const captured: string[] = [];
const originals = { out: process.stdout.write, err: process.stderr.write };
let runtime: LocalRuntime;

beforeAll(async () => {
  // Log everything, as an operator debugging production would.
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  const tap = (original: typeof process.stdout.write) =>
    function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
      captured.push(String(chunk));
      return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof process.stdout.write;
  process.stdout.write = tap(originals.out);
  process.stderr.write = tap(originals.err);
  runtime = await startTestRuntime({ log: (line) => captured.push(line), destinationSecrets: DESTINATION_SECRETS });
});

afterAll(async () => {
  process.stdout.write = originals.out;
  process.stderr.write = originals.err;
  await runtime?.stop();
});

describe('logs', () => {
  it('hold no personal data and no secret across capture, routing, assignment, nurture, unsubscribe, privacy requests and deliveries to destinations', async () => {
    const { email, ...fields } = PERSON;
    // A destination that fails for a moment: its retries log too.
    runtime.destinations.setOutage('ops-webhook', { until: Date.now() + 1500, status: 503 });
    const response = await post(runtime, '/forms/contact/submissions', {
      email,
      ...fields,
      consent: ['sales_contact', 'marketing_email'],
      consentVersion: CONSENT_VERSION,
    });
    expect(response.status).toBe(202);
    // A rejected submission with the same data, and a privacy request, log too.
    await post(runtime, '/forms/contact/submissions', { ...PERSON, country: 'Narnia' });
    await post(runtime, '/privacy/requests', { email, type: 'access' });
    await eventually(async () => {
      const lead = (await scanTable(runtime)).find((item) => item.itemType === 'lead') as { assignment?: { notifiedAt?: string } } | undefined;
      expect(lead?.assignment?.notifiedAt).toBeDefined();
      expect(mailTo(await sentMail(runtime), email.toLowerCase()).length).toBeGreaterThanOrEqual(2);
      // The person's data reached every destination, despite the outage.
      expect(runtime.destinations.crmContacts('crm').has(email.toLowerCase())).toBe(true);
      expect(runtime.destinations.received('ops-webhook').filter((r) => r.status === 204 && r.body.includes(email.toLowerCase()))).not.toEqual([]);
    }, 15_000);
    await postLocal(runtime, '/_local/clock/advance', { by: '5h' });
    // A queue record that fails quoting the person (JSON.parse's message quotes its input): the
    // consumer logs the failure with the error's name and frames, never its message.
    await runtime.sqs.send(new SendMessageCommand({ QueueUrl: runtime.queues.routing.url, MessageBody: `${email}: ${PERSON.message}` }));
    await eventually(async () => expect(captured.join('')).toContain('record failed; SQS delivers it again'));

    const lines = captured
      .join('')
      .split('\n')
      .filter((line) => line.trim());
    expect(lines.filter((line) => line.includes('"level"')).length).toBeGreaterThan(5); // the scan saw real logs
    expect(lines.filter((line) => line.includes('"service":"leadgate-deliver"')).length).toBeGreaterThan(2); // the deliverer's among them
    const secrets = [...Object.values(DESTINATION_SECRETS), process.env.LEADGATE_HMAC_SECRET as string];
    const needles = [...Object.values(PERSON), email.toLowerCase(), 'seeded-pii', ...secrets].filter((value) => value.length > 3);
    const hits = lines.filter((line) => needles.some((needle) => line.toLowerCase().includes(needle.toLowerCase())));
    expect(hits).toEqual([]);
  });
});
