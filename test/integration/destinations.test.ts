import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../infra/local/runtime';
import { CONSENT_VERSION } from '../support/example-config';
import { cliAgainst } from '../support/cli';
import { eventually, heldReasonsOf, post, renderedAt, scanTable, startTestRuntime } from '../support/local-runtime';
import { requestLink } from '../support/privacy';
import { createKeyring } from '../../shared/domain/core/keyring';
import { unsubscribeUrl } from '../../shared/domain/core/links';
import { runtimeClock } from '../../shared/adapters/runtime-clock';

let runtime: LocalRuntime;
const WEBHOOK_SECRET = `whsec_${Buffer.from('a-test-signing-key-of-24b').toString('base64')}`;

beforeAll(async () => {
  runtime = await startTestRuntime({ destinationSecrets: { 'ops-webhook': WEBHOOK_SECRET }, retryScale: 0.01 });
});
afterAll(() => runtime?.stop());

const capture = async (email: string, consent: string[], headers: Record<string, string> = {}, extra: object = {}) => {
  const response = await post(
    runtime,
    '/forms/contact/submissions',
    { email, consent, consentVersion: CONSENT_VERSION, company: 'Acme', firstName: 'Ada', phone: '+44 20 7946 0000', ...extra },
    headers,
  );
  expect(response.status).toBe(202);
};
type Received = ReturnType<LocalRuntime['destinations']['received']>[number] & {
  event: { type: string; id: string; leadRef: string; data: Record<string, any> };
};
/** What the webhook sink received about one person: every event with the reference of their creation event. */
const webhookEvents = (email: string, destination = 'ops-webhook'): Received[] => {
  const all = runtime.destinations
    .received(destination)
    .filter((r) => r.body)
    .map((r) => ({ ...r, event: JSON.parse(r.body) }) as Received);
  const ref = all.find((r) => r.event.data.fields?.email === email)?.event.leadRef;
  return ref ? all.filter((r) => r.event.leadRef === ref) : [];
};

describe('destinations', () => {
  it('a lead with sales_contact reaches HubSpot (valid against its spec), the webhook sink (signatures verify) and the channel', async () => {
    const email = 'dest-ok@engines.example';
    await capture(email, ['sales_contact']);
    const contact = await eventually(async () => {
      const found = runtime.destinations.crmContacts('crm').get(email);
      expect(found).toBeDefined();
      return found!;
    });
    expect(contact).toMatchObject({ email, company: 'Acme', firstname: 'Ada' });
    const received = await eventually(async () => {
      const events = webhookEvents(email);
      expect(events.map((r) => r.event.type)).toEqual(expect.arrayContaining(['lead.created', 'lead.assigned', 'consent.granted']));
      return events;
    });
    for (const r of received) {
      expect(r.verified).toBe(true);
      // The library's own verify, here too, with the destination's secret.
      expect(() => new Webhook(WEBHOOK_SECRET).verify(r.body, r.headers)).not.toThrow();
      expect(r.headers['webhook-id']).toBe(r.event.id);
      expect(r.event.data.fields?.phone).toBeUndefined();
    }
    const slack = await eventually(async () => {
      const messages = runtime.destinations.received('sales-channel');
      expect(messages.length).toBeGreaterThan(0);
      return messages;
    });
    expect(slack.at(-1)!.body).toContain('Acme');
    expect(slack.map((m) => m.body).join('')).not.toContain(email);
    expect(runtime.destinations.contractViolations()).toEqual([]);
  });

  it('a quarantined submission sends nothing anywhere until it is released', async () => {
    const email = 'dest-held@engines.example';
    await capture(email, ['sales_contact'], {}, { renderedAt: renderedAt('contact', 0.5) });
    await eventually(async () => expect(await heldReasonsOf(runtime, email)).toEqual([['submitted_too_fast']]));
    const about = () => runtime.destinations.received().filter((r) => r.body.includes(email));
    // Long enough for a delivery that was going to happen (they take well under a second here).
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(about()).toEqual([]);
    expect(runtime.destinations.crmContacts('crm').has(email)).toBe(false);
    expect((await cliAgainst(runtime, 'quarantine', 'release', '--email', email)).out).toContain('Released 1');
    await eventually(async () => expect(runtime.destinations.crmContacts('crm').get(email)).toMatchObject({ email }));
  });

  it('a lead without sales_contact, or a GPC lead for a third party, never reaches them', async () => {
    await capture('dest-none@engines.example', ['marketing_email']);
    await capture('dest-gpc@engines.example', ['sales_contact'], { 'sec-gpc': '1' });
    await eventually(async () => expect(webhookEvents('dest-gpc@engines.example').length).toBeGreaterThan(0));
    expect(runtime.destinations.crmContacts('crm').has('dest-gpc@engines.example')).toBe(false);
    expect(runtime.destinations.crmContacts('crm').has('dest-none@engines.example')).toBe(false);
    expect(webhookEvents('dest-none@engines.example')).toEqual([]);
    const lead = (await scanTable(runtime)).find((i) => i.itemType === 'lead' && i.email === 'dest-none@engines.example');
    expect(lead?.recipients).toBeUndefined();
  });
});

describe('privacy follows the data', () => {
  it('erasure after delivery: gdpr-delete to HubSpot and lead.erased to the webhook, both named on the receipt and acknowledged', async () => {
    const email = 'dest-erase@engines.example';
    await capture(email, ['sales_contact']);
    await eventually(async () => expect(runtime.destinations.crmContacts('crm').has(email)).toBe(true));
    await eventually(async () => expect(webhookEvents(email).map((r) => r.event.type)).toContain('lead.assigned'));
    const link = await requestLink(runtime, email, 'erasure');
    const page = await (await fetch(link, { method: 'POST' })).text();
    expect(page).toContain('crm (hubspot)');
    expect(page).toContain('ops-webhook (webhook)');
    expect(page).toContain('sales-channel (slack): holds nothing that identifies you');
    const receiptId = /(ersr_[0-9a-f-]{36})/.exec(page)![1]!;
    await eventually(async () => expect(runtime.destinations.crmContacts('crm').has(email)).toBe(false));
    const deletes = runtime.destinations.received('crm').filter((r) => r.path.endsWith('/gdpr-delete'));
    expect(deletes.map((r) => JSON.parse(r.body))).toContainEqual({ objectId: email, idProperty: 'email' });
    const erased = await eventually(async () => {
      const events = webhookEvents(email).filter((r) => r.event.type === 'lead.erased');
      expect(events).toHaveLength(1);
      return events[0]!;
    });
    expect(erased.verified).toBe(true);
    expect(erased.event.data).toEqual({ receiptId });
    expect(erased.body).not.toContain(email);
    const shown = await eventually(async () => {
      const result = await cliAgainst(runtime, 'erasures', 'show', receiptId, '--json');
      const notices = JSON.parse(result.out).notices as { destination: string; notice: string }[];
      expect(notices.filter((n) => n.notice === 'acknowledged').map((n) => n.destination)).toEqual(['crm', 'ops-webhook']);
      return notices;
    });
    expect(shown.find((n) => n.destination === 'sales-channel')?.notice).toBe('none_needed');
    expect(runtime.destinations.contractViolations()).toEqual([]);
  });

  it('per-lead order holds under retries: nothing about a lead reaches any receiver after its erasure', async () => {
    const emails = ['order-1@engines.example', 'order-2@engines.example', 'order-3@engines.example'];
    for (const id of ['crm', 'ops-webhook']) runtime.destinations.setOutage(id, { until: Date.now() + 1500, status: 503 });
    for (const email of emails) await capture(email, ['sales_contact']);
    await eventually(async () => {
      const leads = (await scanTable(runtime)).filter((i) => i.itemType === 'lead' && emails.includes(i.email as string));
      expect(leads.filter((lead) => lead.assignment)).toHaveLength(emails.length);
    });
    // Erase two while their deliveries are still being retried, one after it was delivered.
    for (const email of emails.slice(0, 2)) await fetch(await requestLink(runtime, email, 'erasure'), { method: 'POST' });
    await eventually(async () => expect(runtime.destinations.crmContacts('crm').has(emails[2]!)).toBe(true));
    await fetch(await requestLink(runtime, emails[2]!, 'erasure'), { method: 'POST' });
    const keyring = createKeyring(process.env.LEADGATE_HMAC_SECRET as string);
    const isErasure = (r: { path: string; body: string }) => r.path.endsWith('/gdpr-delete') || r.body.includes('"lead.erased"');
    const markerOf = (destination: string, email: string) => (destination === 'crm' ? email : keyring.leadRef(destination, keyring.emailHash(email)));
    // Every receiver hears of every erasure, once the outage and the retries behind it are over.
    await eventually(async () => {
      for (const destination of ['crm', 'ops-webhook']) {
        for (const email of emails)
          expect(runtime.destinations.received(destination).some((r) => r.body.includes(markerOf(destination, email)) && isErasure(r))).toBe(true);
      }
    }, 20_000);
    for (const destination of ['crm', 'ops-webhook']) {
      const received = runtime.destinations.received(destination);
      for (const email of emails) {
        const about = received.filter((r) => r.body.includes(markerOf(destination, email)));
        const erasedAt = about.findIndex(isErasure);
        expect(erasedAt, `${destination}: ${email} was erased`).toBeGreaterThanOrEqual(0);
        const accepted = about.slice(erasedAt + 1).filter((r) => r.status >= 200 && r.status < 300 && !isErasure(r));
        expect(accepted, `${destination}: nothing after the erasure of ${email}`).toEqual([]);
      }
    }
  });

  it('a withdrawal reaches each recipient that needs it at once; the access export names every recipient and its fields', async () => {
    const email = 'dest-withdraw@engines.example';
    await capture(email, ['sales_contact', 'marketing_email']);
    await eventually(async () => expect(runtime.destinations.crmContacts('crm').has(email)).toBe(true));
    const link = await requestLink(runtime, email, 'access');
    const exported = (await (await fetch(link, { method: 'POST' })).json()) as { recipients: { destination: string; fields: string[] }[] };
    expect(exported.recipients.map((r) => r.destination).sort()).toEqual(['crm', 'ops-webhook', 'sales-channel']);
    expect(exported.recipients.find((r) => r.destination === 'sales-channel')?.fields).toEqual(['company']);
    expect(exported.recipients.find((r) => r.destination === 'crm')?.fields).toEqual(['company', 'email', 'firstName']);
    const lead = (await scanTable(runtime)).find((i) => i.itemType === 'lead' && i.email === email)!;
    // The person's own signed link (as a mail would carry it), for the destination's purpose.
    const keyring = createKeyring(process.env.LEADGATE_HMAC_SECRET as string);
    const link2 = unsubscribeUrl(runtime.urls.api, keyring, lead.leadId as string, 'd***@engines.example', 'sales_contact', runtimeClock.now());
    const withdrawn = await fetch(link2, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(withdrawn.status).toBeLessThan(300);
    await eventually(async () => expect(runtime.destinations.crmContacts('crm').has(email)).toBe(false));
    await eventually(async () =>
      expect(
        webhookEvents(email)
          .filter((r) => r.event.type === 'consent.withdrawn')
          .map((r) => r.event.data),
      ).toContainEqual({
        purpose: 'sales_contact',
        method: expect.any(String),
      }),
    );
    // Still a recipient after the withdrawal: a later erasure reaches it too.
    const after = (await scanTable(runtime)).find((i) => i.itemType === 'lead' && i.email === email) as { recipients?: Record<string, unknown> };
    expect(Object.keys(after.recipients ?? {}).sort()).toEqual(['crm', 'ops-webhook', 'sales-channel']);
  });

  it("a final refusal (400) goes to the destination's dead-letter queue at once, with its status and reason; redriven once fixed, it is delivered", async () => {
    const email = 'dest-refused@engines.example';
    const leadId = createKeyring(process.env.LEADGATE_HMAC_SECRET as string).emailHash(email);
    runtime.destinations.setOutage('crm', { until: Date.now() + 120_000, status: 400 });
    await capture(email, ['sales_contact']);
    const deadLetterUrl = runtime.destinationQueues.crm!.deadLetterUrl;
    const dead = await eventually(async () => {
      const { Messages = [] } = await runtime.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: deadLetterUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], VisibilityTimeout: 0 }),
      );
      const mine = Messages.filter((m) => m.Body?.includes(leadId));
      expect(mine.length).toBeGreaterThan(0);
      return mine;
    });
    expect(dead[0]!.MessageAttributes?.reason?.StringValue).toBe('HTTP 400');
    expect(dead[0]!.MessageAttributes?.status?.StringValue).toBe('400');
    // The deliverer logs the attempt just after it dead-letters the message: list once it has.
    const refused = await eventually(async () => {
      const listed = JSON.parse((await cliAgainst(runtime, 'deliveries', 'list', '--destination', 'crm', '--json')).out) as {
        outcome: string;
        status?: number;
        attempt: number;
      }[];
      const found = listed.filter((entry) => entry.outcome === 'dead_lettered');
      expect(found.length).toBeGreaterThan(0);
      return found;
    });
    // At once: the first answer was final, no retry.
    expect(refused.every((entry) => entry.status === 400 && entry.attempt === 1)).toBe(true);
    runtime.destinations.setOutage('crm', undefined);
    const redriven = await cliAgainst(runtime, 'deliveries', 'redrive', '--destination', 'crm');
    expect(redriven.code, redriven.out).toBe(0);
    expect(redriven.out).toMatch(/moved [1-9]\d* delivery/);
    await eventually(async () => expect(runtime.destinations.crmContacts('crm').get(email)).toMatchObject({ email, company: 'Acme' }));
  });
});
