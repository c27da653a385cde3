import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { configVariant, manyPeopleOneClient } from '../infra/local/config-variant';
import { postJsonFrom } from '../infra/local/post-from';
import { type LocalRuntime, startLocalRuntime } from '../infra/local/runtime';
import type { FunctionName } from '../infra/topology';
import type { SandboxTiming } from '../infra/local/worker-messages';
import { SECRET_VARIABLES } from '../shared/config/function-env';
import { createKeyring, type Keyring } from '../shared/domain/core/keyring';
import { privacyPageUrl, renderToken, reviewUrl } from '../shared/domain/core/links';
import { type StoredMail, storedMail } from '../infra/local/local-stores';
import { startFloor } from './floor-host';
import { drained, submission } from './soak';

/** One function's sandbox CPU: its init, its first invocation and a warm one (p50 of the rest). */
export interface FirstInvocation {
  initCpuMs: number;
  firstCpuMs: number;
  laterCpuMs: number;
  invocations: number;
  /** What the first invocation costs beyond a warm one: work left to the first message. */
  extraMs: number;
}

/** Leads sent, one at a time: enough for every pipeline function to run more than once. */
export const FIRST_INVOCATION_LEADS = 8;
/** How often each page and link is visited: a first invocation and two warm ones. */
const VISITS = 3;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

const summary = (initCpuMs: number, timings: SandboxTiming[]): FirstInvocation => {
  // The first sandbox's first invocation; a sandbox started later (invocations overlapped) is not a warm one.
  const first = timings.find((timing) => timing.coldStart)?.cpuMs ?? NaN;
  const later = median(timings.filter((timing) => !timing.coldStart).map((timing) => timing.cpuMs));
  return { initCpuMs, firstCpuMs: first, laterCpuMs: later, invocations: timings.length, extraMs: first - later };
};

const linkIn = (mail: StoredMail, path: string): string | undefined => new RegExp(`(https?://\\S+${path}\\?t=\\S+)`).exec(mail.body.text ?? '')?.[1];

/** Sends a request as a visitor's browser would, and fails the benchmark on an answer other than `expected`. */
async function visit(what: string, url: string, expected: number, init: RequestInit = {}): Promise<void> {
  const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(30_000), ...init });
  await response.arrayBuffer();
  if (response.status !== expected) throw new Error(`${what} answered ${response.status}, not ${expected}: ${url}`);
}

/** Posts a form as capture's embedded form would (with its render token, or a forged one, as a script might), and waits for the pipeline to settle. */
async function post(runtime: LocalRuntime, keyring: Keyring, form: string, body: Record<string, unknown>, token: 'genuine' | 'forged'): Promise<string> {
  const genuine = renderToken(keyring, form, new Date(Date.now() - 5000));
  const renderedAt = token === 'genuine' ? genuine : genuine.replace(/\.[^.]+$/, '.AAAA');
  const answer = await postJsonFrom(new URL(`/forms/${form}/submissions`, runtime.urls.capture), '127.0.2.1', { ...body, renderedAt });
  if (answer.status !== 202) throw new Error(`capture answered ${answer.status}: ${answer.text}`);
  await drained(runtime, 60_000);
  return (JSON.parse(answer.text) as { submissionId: string }).submissionId;
}

/** The newest mail to `to` with a link to `path`, and that link. */
async function mailedLink(runtime: LocalRuntime, to: string, path: string): Promise<string> {
  const link = (await storedMail(runtime.urls.ses))
    .filter((mail) => mail.destination.to.includes(to))
    .map((mail) => linkIn(mail, path))
    .findLast((found) => found !== undefined);
  if (!link) throw new Error(`no mail to ${to} has a ${path} link`);
  return link;
}

/**
 * Leads and schedules alone invoke only the pipeline's functions; a person's and an operator's
 * functions run when someone opens a page or a link. Each of them runs VISITS times here (its
 * first invocation, then warm ones): the hosted form and the privacy page, an assignment email's accept
 * link, a newsletter sign-up's double opt-in confirmation (which enrols it, so the nurture tick
 * hands its welcome email to sendEmail), that email's one-click unsubscribe, the review page of a
 * contact request held for a forged render token, and an SES complaint.
 */
async function visitEveryPage(runtime: LocalRuntime, keyring: Keyring, leads: string[], version: string): Promise<void> {
  const api = runtime.urls.api;
  const acceptLinks = (await storedMail(runtime.urls.ses)).map((mail) => linkIn(mail, '/assignments/accept')).filter((link) => link !== undefined);
  if (acceptLinks.length < VISITS) throw new Error(`only ${acceptLinks.length} accept links were mailed: too few to invoke accept ${VISITS} times`);
  for (let k = 0; k < VISITS; k++) {
    await visit('the hosted form', `${api}/forms/contact`, 200);
    await visit('the privacy page', privacyPageUrl(api), 200);
    await visit('an accept link', acceptLinks[k] as string, 200, { method: 'POST' });
    const subscriber = `subscriber${k}@engines.example`;
    await post(runtime, keyring, 'newsletter', { email: subscriber, consent: ['marketing_email'], consentVersion: version }, 'genuine');
    await visit('a confirmation link', await mailedLink(runtime, subscriber, '/confirm'), 200, { method: 'POST' });
    await runtime.runSchedules();
    await drained(runtime, 60_000);
    await visit('a one-click unsubscribe', await mailedLink(runtime, subscriber, '/unsubscribe'), 200, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    const held = `held${k}@engines.example`;
    const submissionId = await post(
      runtime,
      keyring,
      'contact',
      { email: held, firstName: 'Held', company: 'Held', country: 'DE', consent: ['sales_contact'], consentVersion: version },
      'forged',
    );
    await visit('a review link', reviewUrl(api, keyring, keyring.emailHash(held), submissionId, new Date()), 200);
    const complaint = { eventType: 'Complaint', complaint: { complainedRecipients: [{ emailAddress: leads[k] as string }] } };
    await visit('an SES complaint', `${api}/_local/ses-events`, 202, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(complaint),
    });
    await drained(runtime, 60_000);
  }
}

/**
 * The import-only cold-start figure cannot see work a function leaves to its first message (a
 * file read on first use, a schema built when first needed, the SDK's first request). This runs
 * leads one at a time through the whole local pipeline, with the schedules after each, and times
 * every sandbox's CPU: its init, its first invocation, and its later ones. The floor function
 * (only a bare put and send) is the baseline: its first invocation's extra is what the SDK's
 * first requests cost any function.
 */
export async function firstInvocations(
  leads = FIRST_INVOCATION_LEADS,
): Promise<{ functions: Partial<Record<FunctionName, FirstInvocation>>; floor: FirstInvocation }> {
  const configFile = configVariant((c) => {
    manyPeopleOneClient(c);
    c.screening.minSecondsToSubmit = 0;
  });
  const runtime = await startLocalRuntime({
    ports: { api: 0, dynamodb: 0, sqs: 0, ses: 0, destinations: 0 },
    configFile,
    schedules: false,
    faults: { countRequests: true },
    log: () => undefined,
  });
  // The floor's messages go to a queue of their own: the routing consumer runs here, and would take them.
  const floorQueue = await runtime.sqs.send(new CreateQueueCommand({ QueueName: 'bench-floor' })).catch(async (error) => {
    await runtime.stop();
    throw error;
  });
  const queueUrl = new URL(new URL(floorQueue.QueueUrl as string).pathname, runtime.functionEndpoints.sqs).href;
  const floor = await startFloor(runtime, queueUrl, { metered: true }).catch(async (error) => {
    await runtime.stop();
    throw error;
  });
  try {
    const version = runtime.config.purposes.marketing_email!.consentText.version;
    const from = '127.0.2.1';
    // Render tokens made here, as the hosted form's would be: every capture invocation is then a post.
    const keyring = createKeyring(process.env[SECRET_VARIABLES.hmac.value] as string);
    const captured: string[] = [];
    for (let i = 0; i < leads; i++) {
      const { form, body } = submission(i);
      const renderedAt = renderToken(keyring, form, new Date(Date.now() - 5000));
      const answer = await postJsonFrom(new URL(`/forms/${form}/submissions`, runtime.urls.capture), from, { ...body, consentVersion: version, renderedAt });
      if (answer.status !== 202) throw new Error(`capture answered ${answer.status}: ${answer.text}`);
      captured.push(body.email);
      await drained(runtime, 60_000);
      await runtime.runSchedules();
      await drained(runtime, 60_000);
      const atFloor = await postJsonFrom(new URL('/forms/newsletter/submissions', floor.url), from, { email: `floor${i}@engines.example` });
      if (atFloor.status !== 202) throw new Error(`the floor function answered ${atFloor.status}`);
    }
    await visitEveryPage(runtime, keyring, captured, version);
    const inits = runtime.initCpuMs();
    const functions: Partial<Record<FunctionName, FirstInvocation>> = {};
    for (const [name, timings] of Object.entries(runtime.invocationTimings()) as [FunctionName, SandboxTiming[]][]) {
      if (timings.some((timing) => !timing.coldStart)) functions[name] = summary(inits[name] ?? NaN, timings);
    }
    return { functions, floor: summary(floor.host.initCpuMs().capture ?? NaN, floor.host.timings().capture ?? []) };
  } finally {
    await floor.stop();
    await runtime.stop();
  }
}
