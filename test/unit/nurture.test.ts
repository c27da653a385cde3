import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { beforeEach, describe, expect, it } from 'vitest';
import { type ConfigError, parseConfig } from '../../shared/config/load';
import { captureSubmission } from '../../shared/domain/capture/capture';
import { createKeyring } from '../../shared/domain/core/keyring';
import { confirmUrl, unsubscribeUrl } from '../../shared/domain/core/links';
import { confirmSubscription } from '../../shared/domain/consent/confirm-subscription';
import { topology } from '../../infra/topology';
import { LATE_WRITE_SECONDS, queueDueNurtureSteps, queueMoment } from '../../shared/domain/nurture/nurture-tick';
import { REQUEUE_AFTER_MS } from '../../shared/domain/core/due-times';
import type { EmailQueue, NurtureMessage } from '../../shared/domain/core/ports';
import { routeLead, type RouteDeps } from '../../shared/domain/routing/route-lead';
import { compileRouting } from '../../shared/domain/routing/routing';
import { compileScoring } from '../../shared/domain/routing/scoring';
import { sendNurtureStep } from '../../shared/domain/nurture/send-nurture';
import { renderTemplate } from '../../shared/domain/nurture/template';
import { unsubscribe } from '../../shared/domain/nurture/unsubscribe';
import { blocksMarketing } from '../../shared/domain/nurture/suppression';
import { assignmentEmails } from '../../shared/email/assignment-email';
import { escapeHtml } from '../../shared/email/escape';
import { personEmails } from '../../shared/email/person-emails';
import { exampleConfig, TEST_SECRET } from '../support/example-config';
import {
  InMemoryLeads,
  InMemoryCounters,
  InMemoryRotation,
  InMemoryRoutingQueue,
  InMemorySuppressions,
  ManualClock,
  RecordingMailer,
  inMemoryStrangerMail,
  InMemorySubmissions,
  InMemoryRunMark,
} from '../support/in-memory-ports';

describe('templates', () => {
  it('fills declared fields, uses fallbacks, and escapes for HTML', () => {
    expect(renderTemplate('Hi {{firstName | there}}!', {})).toBe('Hi there!');
    expect(renderTemplate('Hi {{ firstName }}!', { firstName: 'Ada' })).toBe('Hi Ada!');
    expect(renderTemplate('<p>{{company}}</p>', { company: '<script>x</script>' }, escapeHtml)).toBe('<p>&lt;script&gt;x&lt;/script&gt;</p>');
  });

  it('gives the example welcome mail a subject that reads well with and without a first name', () => {
    const subject = exampleConfig.nurture.sequences.welcome!.steps[0]!.subject;
    expect(renderTemplate(subject, { firstName: 'Ada' })).toBe('Ada, welcome to Example');
    expect(renderTemplate(subject, {})).toBe('Hello, welcome to Example');
  });

  it('refuses, at config load, a template that names a field no enrolling form declares', () => {
    const document = parse(readFileSync('leadgate.config.yaml', 'utf8'));
    document.nurture.sequences.welcome.steps[1].subject = 'Hello {{dateOfPurchase}}';
    try {
      parseConfig(document);
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect((error as ConfigError).problems).toContain(
        'nurture.sequences.welcome.steps.1.subject: {{dateOfPurchase}} is not a field of any form that asks for marketing_email',
      );
    }
  });
});

describe('nurture pipeline (domain, with port fakes)', () => {
  let deps: RouteDeps;
  let leads: InMemoryLeads;
  let mailer: RecordingMailer;
  let clock: ManualClock;
  let queued: NurtureMessage[];
  let mark: InMemoryRunMark;
  /** An email queue that takes every message. */
  const intoQueued: EmailQueue = {
    enqueueAll: async (messages) => {
      queued.push(...messages);
      return [];
    },
  };

  beforeEach(() => {
    leads = new InMemoryLeads();
    mailer = new RecordingMailer();
    clock = new ManualClock();
    queued = [];
    mark = new InMemoryRunMark();
    deps = {
      settings: exampleConfig,
      leads,
      rotation: new InMemoryRotation(),
      counters: new InMemoryCounters(),
      submissions: new InMemorySubmissions(),
      ...inMemoryStrangerMail(),
      mailer,
      emails: assignmentEmails(exampleConfig),
      personEmails: personEmails(exampleConfig),
      suppressions: new InMemorySuppressions(),
      clock,
      keyring: createKeyring(TEST_SECRET),
      publicUrl: 'https://leads.example.com',
      scoreLead: compileScoring(exampleConfig.scoring),
      chooseTeam: compileRouting(exampleConfig.routing),
      isDisposableDomain: (domain: string) => domain === 'mailinator.com',
    };
  });

  async function enrol(email: string) {
    const routing = new InMemoryRoutingQueue();
    await captureSubmission(
      { settings: exampleConfig, keyring: deps.keyring, submissions: deps.submissions, routing, clock },
      { formId: 'contact', email, fields: { email, firstName: 'Ada' }, grantedPurposes: ['marketing_email'], attribution: {}, gpc: false },
    );
    await routeLead(deps, routing.messages[0]!);
    return routing.messages[0]!.leadId;
  }

  /** Enrols a lead (the routing save sends the welcome at once), then moves to when its second step is due, for the scheduler. */
  async function secondStepDue(email: string) {
    const leadId = await enrol(email);
    expect(mailer.sent.splice(0).map((m) => m.subject)).toEqual(['Ada, welcome to Example']);
    clock.advance(3 * 86_400);
    return leadId;
  }

  const tick = async () => {
    await queueDueNurtureSteps({ leads, emailQueue: intoQueued, clock, mark });
    const batch = queued.splice(0);
    for (const message of batch) await sendNurtureStep(deps, message);
    return batch.length;
  };

  it('sends the first step with the routing save, each later one when due, once, and completes', async () => {
    await enrol('ada@engines.example');
    expect(mailer.sent).toHaveLength(1);
    expect(await tick()).toBe(0);
    clock.advance(3 * 86_400);
    expect(await tick()).toBe(1);
    clock.advance(4 * 86_400);
    expect(await tick()).toBe(1);
    clock.advance(30 * 86_400);
    expect(await tick()).toBe(0);
    expect(mailer.sent.map((m) => m.subject)).toEqual(['Ada, welcome to Example', 'Three ways teams use Example', 'Join our next live session']);
    expect(mailer.sent.every((m) => m.to === 'ada@engines.example')).toBe(true);
  });

  it('queues a step once, then again only once 15 minutes pass unsent, writing nothing to the lead; a copy is sent once', async () => {
    await secondStepDue('twice@engines.example');
    const queue = () => queueDueNurtureSteps({ leads, emailQueue: intoQueued, clock, mark });
    await queue();
    clock.advance(60);
    await queue();
    expect(queued).toHaveLength(1);
    clock.advance(REQUEUE_AFTER_MS / 1000);
    await queue();
    expect(queued).toHaveLength(2);
    const outcomes: string[] = [];
    for (const message of queued.splice(0)) outcomes.push(await sendNurtureStep(deps, message));
    expect(outcomes).toEqual(['sent', 'stale']);
    expect(mailer.sent).toHaveLength(1);
  });

  it('a step whose message could not be queued is queued by the next run, without waiting 15 minutes', async () => {
    await secondStepDue('queue-down@engines.example');
    let down = true;
    const queue = () =>
      queueDueNurtureSteps({
        leads,
        emailQueue: {
          // The queue unreachable: SQS took none of them.
          enqueueAll: async (messages) => {
            if (down) return [...messages];
            queued.push(...messages);
            return [];
          },
        },
        clock,
        mark,
      });
    expect(await queue()).toEqual({ queued: 0, failed: 1 });
    down = false;
    clock.advance(60);
    expect(await queue()).toEqual({ queued: 1, failed: 0 });
    clock.advance(60);
    expect(await queue()).toEqual({ queued: 0, failed: 0 });
  });

  it('queues due steps in batches: a step SQS refused in a batch is queued by the next run, the others are not queued again', async () => {
    const first = await secondStepDue('batch-a@engines.example');
    await secondStepDue('batch-b@engines.example');
    const requests: number[] = [];
    const queue = (refuse: string | undefined) =>
      queueDueNurtureSteps({
        leads,
        emailQueue: {
          enqueueAll: async (messages) => {
            requests.push(messages.length);
            const refused = messages.filter((m) => m.leadId === refuse);
            queued.push(...messages.filter((m) => m.leadId !== refuse));
            return refused;
          },
        },
        clock,
        mark,
      });
    expect(await queue(first)).toEqual({ queued: 1, failed: 1 });
    expect(requests).toEqual([2]);
    clock.advance(60);
    expect(await queue(undefined)).toEqual({ queued: 1, failed: 0 });
    expect(queued.map((m) => m.leadId).filter((id) => id === first)).toHaveLength(1);
    expect(queued).toHaveLength(2);
  });

  it('a step is worth queuing when it falls due, then at each further 15 minutes it stays unsent', () => {
    const due = 1_000;
    const late = REQUEUE_AFTER_MS / 1000;
    expect(queueMoment(due, due)).toBe(due);
    expect(queueMoment(due, due + late - 1)).toBe(due);
    expect(queueMoment(due, due + late)).toBe(due + late);
    expect(queueMoment(due, due + 3 * late + 7)).toBe(due + 3 * late);
  });

  it('a run with nothing to queue writes nothing, not even its mark', async () => {
    expect(await queueDueNurtureSteps({ leads, emailQueue: intoQueued, clock, mark })).toEqual({ queued: 0, failed: 0 });
    expect(await mark.last()).toBeUndefined();
  });

  it('looks back further than any function runs, so no save of a due time lands behind the mark', () => {
    for (const spec of Object.values(topology.functions)) expect(spec.timeoutSeconds).toBeLessThan(LATE_WRITE_SECONDS);
  });

  it('a step that reaches the index after a run looked (a late save) is queued by a later run, and once', async () => {
    const leadId = await enrol('late-save@engines.example');
    const stored = (await leads.get(leadId, clock.now()))!;
    const lateNurture = { ...stored.lead.nurture!, nextDueAt: new Date(clock.now().getTime() - 30_000).toISOString() };
    await leads.save({ ...stored.lead, nurture: lateNurture }, stored.version, clock.now());
    // A run looked 10 s ago, before this save (its due time 30 s back) landed; it left its mark LATE_WRITE_SECONDS behind.
    mark.mark = { at: new Date(clock.now().getTime() - 10_000 - LATE_WRITE_SECONDS * 1000), noted: [] };
    const queue = () => queueDueNurtureSteps({ leads, emailQueue: intoQueued, clock, mark });
    expect(await queue()).toEqual({ queued: 1, failed: 0 });
    clock.advance(60);
    expect(await queue()).toEqual({ queued: 0, failed: 0 });
  });

  it('skips a step whose topic the person opted out of, and keeps the rest', async () => {
    const leadId = await secondStepDue('topics@engines.example');
    const link = unsubscribeUrl('https://x', deps.keyring, leadId, 't***@engines.example', 'marketing_email', clock.now());
    const token = decodeURIComponent(link.split('t=')[1]!);
    expect(await unsubscribe(deps, token, { scope: 'topics', topics: ['product_news', 'not_a_topic'] })).toBe(true);
    for (let day = 0; day < 10; day++) {
      await tick();
      clock.advance(86_400);
    }
    expect(mailer.sent.map((m) => m.subject)).toEqual(['Join our next live session']);
  });

  it('re-checks consent at send time: a step queued before an unsubscribe is not sent', async () => {
    const leadId = await secondStepDue('late@engines.example');
    await queueDueNurtureSteps({ leads, emailQueue: intoQueued, clock, mark });
    const link = unsubscribeUrl('https://x', deps.keyring, leadId, 'l***@engines.example', 'marketing_email', clock.now());
    await unsubscribe(deps, decodeURIComponent(link.split('t=')[1]!), { scope: 'all', method: 'unsubscribe_link' });
    expect(await sendNurtureStep(deps, queued[0]!)).toBe('stale');
    expect(mailer.sent).toEqual([]);
  });

  it('the routing save claims the first step and sends it: the lead enters the nurture index once, at the next step; a redelivery sends nothing', async () => {
    const routing = new InMemoryRoutingQueue();
    const email = 'claimed@engines.example';
    await captureSubmission(
      { settings: exampleConfig, keyring: deps.keyring, submissions: deps.submissions, routing, clock },
      { formId: 'contact', email, fields: { email, firstName: 'Ada' }, grantedPurposes: ['marketing_email'], attribution: {}, gpc: false },
    );
    let deferred = 0;
    deps.onNurtureDeferred = () => deferred++;
    const enrolledAt = clock.now();
    await routeLead(deps, routing.messages[0]!);
    await routeLead(deps, routing.messages[0]!);
    expect(mailer.sent.map((m) => m.subject)).toEqual(['Ada, welcome to Example']);
    expect(deferred).toBe(0);
    const { lead } = (await leads.get(routing.messages[0]!.leadId, clock.now()))!;
    expect(lead.nurture).toMatchObject({ nextStep: 1, nextDueAt: new Date(enrolledAt.getTime() + 3 * 86_400_000).toISOString(), status: 'active' });
    expect(lead.nurture?.sent).toEqual([{ step: 0, topic: 'product_news', at: enrolledAt.toISOString() }]);
    // Nothing is due for the scheduler until the second step.
    expect(await leads.findNurtureDue(clock.now())).toEqual([]);
    expect(await tick()).toBe(0);
  });

  it('a first step whose send fails at routing is put back, due, counted as deferred, and the scheduler sends it once', async () => {
    let deferred = 0;
    deps.onNurtureDeferred = () => deferred++;
    mailer.failNext = 1;
    const leadId = await enrol('first-fails@engines.example');
    expect(mailer.sent).toEqual([]);
    expect(deferred).toBe(1);
    expect((await leads.get(leadId, clock.now()))!.lead.nurture).toMatchObject({ nextStep: 0, status: 'active' });
    expect(await tick()).toBe(1);
    expect(await tick()).toBe(0);
    expect(mailer.sent.map((m) => m.subject)).toEqual(['Ada, welcome to Example']);
    expect(deferred).toBe(1);
  });

  /** A newsletter signup (double opt-in), routed: its confirmation mailed, and the token of its link. */
  async function awaitingConfirmation(email: string, unsubscribedBefore: boolean) {
    const routing = new InMemoryRoutingQueue();
    await captureSubmission(
      { settings: exampleConfig, keyring: deps.keyring, submissions: deps.submissions, routing, clock },
      { formId: 'newsletter', email, fields: { email }, grantedPurposes: ['marketing_email'], attribution: {}, gpc: false },
    );
    const { leadId, submissionId } = routing.messages[0]!;
    if (unsubscribedBefore) await deps.suppressions.add(leadId, 'unsubscribed', clock.now());
    await routeLead(deps, routing.messages[0]!);
    expect(mailer.sent.splice(0).map((m) => m.subject)).toEqual([expect.stringMatching(/^Please confirm/)]);
    return { leadId, token: decodeURIComponent(confirmUrl('https://x', deps.keyring, leadId, submissionId, clock.now()).split('t=')[1]!) };
  }

  it('a confirmed double opt-in queues its welcome at once, after lifting an earlier unsubscribe; it is sent once and the scheduler finds nothing left', async () => {
    const { leadId, token } = await awaitingConfirmation('confirms@engines.example', true);
    expect(queued).toEqual([]);
    // The sender checks the suppression when the message arrives: it must already be lifted.
    const suppressedWhenQueued: boolean[] = [];
    const liftedFirst: EmailQueue = {
      enqueueAll: async (messages) => {
        suppressedWhenQueued.push(blocksMarketing(await deps.suppressions.get(leadId)));
        return intoQueued.enqueueAll(messages);
      },
    };
    const confirmDeps = { ...deps, emailQueue: liftedFirst };
    expect(await confirmSubscription(confirmDeps, token)).toBe('confirmed');
    expect(queued).toEqual([{ type: 'nurture.step', version: 1, leadId, sequence: 'welcome', step: 0 }]);
    expect(suppressedWhenQueued).toEqual([false]);
    expect(await confirmSubscription(confirmDeps, token)).toBe('already_confirmed');
    expect(queued).toHaveLength(1);
    expect(await sendNurtureStep(deps, queued.splice(0)[0]!)).toBe('sent');
    expect(mailer.sent.map((m) => m.subject)).toEqual(['Hello, welcome to Example']);
    expect(await tick()).toBe(0);
  });

  it('a confirmed double opt-in whose welcome could not be queued keeps it due, for the scheduler', async () => {
    const { token } = await awaitingConfirmation('queue-down-confirms@engines.example', false);
    const refusing: EmailQueue = { enqueueAll: async (messages) => [...messages] };
    expect(await confirmSubscription({ ...deps, emailQueue: refusing }, token)).toBe('confirmed');
    expect(await tick()).toBe(1);
    expect(mailer.sent.map((m) => m.subject)).toEqual(['Hello, welcome to Example']);
  });

  it('puts the step back when sending fails, so the retry sends it', async () => {
    await secondStepDue('retry@engines.example');
    await queueDueNurtureSteps({ leads, emailQueue: intoQueued, clock, mark });
    mailer.failNext = 1;
    await expect(sendNurtureStep(deps, queued[0]!)).rejects.toThrow();
    expect(await sendNurtureStep(deps, queued[0]!)).toBe('sent');
    expect(await sendNurtureStep(deps, queued[0]!)).toBe('stale');
    expect(mailer.sent).toHaveLength(1);
  });

  it('shortens retention to the grace period when the last purpose is withdrawn', async () => {
    const leadId = await enrol('grace@engines.example');
    const link = unsubscribeUrl('https://x', deps.keyring, leadId, 'g***@engines.example', 'marketing_email', clock.now());
    await unsubscribe(deps, decodeURIComponent(link.split('t=')[1]!), { scope: 'all', method: 'unsubscribe_link' });
    const { lead } = (await leads.get(leadId, clock.now()))!;
    expect(lead.expiresAt).toBe(Math.floor(clock.now().getTime() / 1000) + 30 * 86_400);
  });
});
