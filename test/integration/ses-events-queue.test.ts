import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../infra/local/runtime';
import { cliAgainst } from '../support/cli';
import { CONSENT_VERSION } from '../support/example-config';
import { eventually, post, postLocal, scanTable, startTestRuntime } from '../support/local-runtime';

// SES bounce and complaint events reach their consumer through a queue with a dead-letter queue.

describe('SES events are never dropped', () => {
  let runtime: LocalRuntime;
  let failing = true;
  let failures = 0;
  beforeAll(async () => {
    runtime = await startTestRuntime({
      schedules: false,
      faults: {
        visibilityTimeoutSeconds: 1,
        // The events consumer fails on this one event every time it is delivered, until the fault is fixed.
        failRecord: (queue, body) => {
          const fails = failing && queue === 'mailEvents' && body.includes('unlucky@');
          if (fails) failures++;
          return fails;
        },
      },
    });
  });
  afterAll(() => runtime?.stop());

  it('an event the consumer fails on three times is dead-lettered; after redrive its suppression is written', async () => {
    const email = 'unlucky@engines.example';
    await post(runtime, '/forms/contact/submissions', { email, consent: ['marketing_email'], consentVersion: CONSENT_VERSION });
    await eventually(async () => expect((await scanTable(runtime)).some((i) => i.email === email)).toBe(true));
    await postLocal(runtime, '/_local/ses-events', JSON.stringify({ eventType: 'Complaint', complaint: { complainedRecipients: [{ emailAddress: email }] } }));
    const dead = async () =>
      (await runtime.sqs.send(new ReceiveMessageCommand({ QueueUrl: runtime.queues.mailEvents.deadLetterUrl, VisibilityTimeout: 0 }))).Messages ?? [];
    await eventually(async () => expect(await dead()).toHaveLength(1), 20_000);
    // Every receive counts toward the queue's maxReceiveCount (3), even one whose answer a busy
    // poller never got, so the consumer saw it at most three times.
    expect(failures).toBeGreaterThan(0);
    expect(failures).toBeLessThanOrEqual(3);
    expect((await scanTable(runtime)).filter((i) => String(i.pk).startsWith('SUPPRESS#'))).toEqual([]);

    failing = false; // the cause is fixed; now the operator redrives

    expect(await cliAgainst(runtime, 'dlq', 'redrive', '--queue', 'mailEvents')).toMatchObject({
      code: 0,
      out: expect.stringContaining('mailEvents: moved 1'),
    });
    await eventually(async () =>
      expect((await scanTable(runtime)).find((i) => String(i.pk).startsWith('SUPPRESS#'))).toMatchObject({ complainedAt: expect.any(String) }),
    );
  });
});
