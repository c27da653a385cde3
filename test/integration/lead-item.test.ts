import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynamoDb, startDynamoDbLocal, type Emulator } from '../../infra/local/emulators';
import { provisionTable } from '../../infra/local/provision';
import { createRequestMeter } from '../../infra/local/request-meter';
import { scanWholeTable } from '../../infra/local/local-stores';
import { topology } from '../../infra/topology';
import { DynamoLeadRepository } from '../../shared/adapters/dynamo-lead-repository';
import { leadKey } from '../../shared/adapters/table-keys';
import type { Lead } from '../../shared/domain/core/lead';
import type { PendingEvent } from '../../shared/domain/destinations/pending-event';

// The lead item is rewritten whole by every routing save and nurture step, and DynamoDB bills a
// write per started kilobyte: the adapter packs the lead so that a typical one costs one unit.
let emulator: Emulator;
let db: DynamoDBDocumentClient;
let tableName: string;
const meter = createRequestMeter(topology.table.indexes);

beforeAll(async () => {
  emulator = process.env.LEADGATE_DYNAMODB === 'dynamodb-local' ? await startDynamoDbLocal(0) : await startDynamoDb(0);
  const client = new DynamoDBClient({ region: 'us-east-1', endpoint: emulator.url, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  tableName = await provisionTable(client);
  client.middlewareStack.use(meter.plugin);
  db = DynamoDBDocumentClient.from(client);
}, 60_000);
afterAll(() => emulator?.stop());

const NOW = new Date('2026-12-01T10:00:00Z');
const SUB = 'sub_2a6370679af72ae89560dab842608996_tpcszp';
const consent = (textSha256: string) => ({
  status: 'granted' as const,
  granted: true,
  at: NOW.toISOString(),
  formId: 'contact',
  submissionId: SUB,
  consentTextVersion: '2026-11-01',
  textSha256,
  method: 'form_checkbox' as const,
});

/** A lead as the routing consumer saves it: two consents, five scoring rules, assigned, enrolled. */
const assignedLead = (leadId: string): Lead => ({
  leadId,
  email: 'lead123@engines.example',
  fields: { email: 'lead123@engines.example', company: 'Acme', jobTitle: 'CTO', country: 'DE', message: 'We would like a demo.' },
  consents: { marketing_email: consent('c'.repeat(64)), sales_contact: consent('8'.repeat(64)) },
  submissions: [{ submissionId: SUB, formId: 'contact', at: NOW.toISOString(), gpc: false }],
  doNotSellOrShare: false,
  createdAt: NOW.toISOString(),
  updatedAt: NOW.toISOString(),
  expiresAt: 1_811_658_949,
  score: 90,
  scoreReasons: [
    { rule: 'corporate_email', points: 20, reason: 'Uses a company email address' },
    { rule: 'contact_form', points: 15, reason: 'Asked to be contacted' },
    { rule: 'named_company', points: 15, reason: 'Named their company' },
    { rule: 'senior_role', points: 25, reason: 'Senior role' },
    { rule: 'wrote_message', points: 15, reason: 'Wrote a message' },
  ],
  routedSubmissions: [SUB],
  nurture: { sequence: 'welcome', enrolledAt: NOW.toISOString(), nextStep: 0, nextDueAt: NOW.toISOString(), status: 'active', sent: [] },
  owner: 'ana@example.com',
  assignment: {
    submissionId: SUB,
    team: 'emea',
    rep: 'ana@example.com',
    reason: 'rule',
    assignedAt: NOW.toISOString(),
    slaDueAt: '2026-12-01T14:00:00.000Z',
    generation: 1,
    score: 90,
    rules: ['corporate_email', 'contact_form', 'named_company', 'senior_role', 'wrote_message'],
    tried: ['ana@example.com'],
  },
  assignmentHistory: [{ submissionId: SUB, team: 'emea', rep: 'ana@example.com', reason: 'rule', at: NOW.toISOString() }],
  counted: { month: '2026-12', journeys: [SUB] },
});

const leadIdFor = (n: number) => n.toString(16).padStart(64, '0');
const rawItem = async (leadId: string) => (await db.send(new GetCommand({ TableName: tableName, Key: leadKey(leadId), ConsistentRead: true }))).Item!;

describe('the lead item', () => {
  it('is packed: a typical assigned lead saves for one write unit (three as plain attributes), and reads back equal', async () => {
    const leads = new DynamoLeadRepository(db, tableName);
    const lead = assignedLead(leadIdFor(1));
    const before = meter.readings().writeUnitsByItem.LEAD ?? 0;
    expect(await leads.save(lead, undefined, NOW)).toBe(true);
    expect((meter.readings().writeUnitsByItem.LEAD ?? 0) - before).toBe(1);
    expect(await leads.get(lead.leadId, NOW)).toEqual({ lead, version: 1 });

    const item = await rawItem(lead.leadId);
    // What DynamoDB itself uses stays plain: keys, TTL, the index keys, the version.
    expect(Object.keys(item).sort()).toEqual([
      'expiresAt',
      'itemType',
      'nurtureDue',
      'nurturePartition',
      'packed',
      'pk',
      'sk',
      'slaDue',
      'slaPartition',
      'version',
    ]);
    expect(item.expiresAt).toBe(lead.expiresAt);
    expect(JSON.stringify(item)).not.toContain('lead123@');

    const plain = { ...leadKey(leadIdFor(2)), itemType: 'lead', ...assignedLead(leadIdFor(2)), version: 1 };
    const beforePlain = meter.readings().writeUnitsByItem.LEAD ?? 0;
    await db.send(new PutCommand({ TableName: tableName, Item: plain }));
    expect((meter.readings().writeUnitsByItem.LEAD ?? 0) - beforePlain).toBe(3);
  });

  it('reads a lead stored before packing, and its next save packs it', async () => {
    const leads = new DynamoLeadRepository(db, tableName);
    const lead = assignedLead(leadIdFor(3));
    await db.send(
      new PutCommand({ TableName: tableName, Item: { ...leadKey(lead.leadId), itemType: 'lead', ...lead, slaPartition: 'SLA', slaDue: 1, version: 4 } }),
    );
    expect(await leads.get(lead.leadId, NOW)).toEqual({ lead, version: 4 });
    expect(await leads.markNotified(lead.leadId, lead.assignment!, NOW)).toBe(true);
    const item = await rawItem(lead.leadId);
    expect(item.packed).toBeInstanceOf(Uint8Array);
    expect(item.email).toBeUndefined();
    expect((await leads.get(lead.leadId, NOW))?.lead.assignment?.notifiedAt).toBe(NOW.toISOString());
  });

  it('claims and gives back the rep email over the version read, moving the SLA due time as before', async () => {
    const leads = new DynamoLeadRepository(db, tableName);
    const lead = assignedLead(leadIdFor(4));
    await leads.save(lead, undefined, NOW);
    const assignment = lead.assignment!;
    expect(await leads.markNotified(lead.leadId, assignment, NOW)).toBe(true);
    expect(await leads.markNotified(lead.leadId, assignment, NOW)).toBe(false);
    await leads.unmarkNotified(lead.leadId, assignment, NOW);
    const given = await rawItem(lead.leadId);
    // A failed send is due to the SLA sweep at once (the assignment time), as the plain item was.
    expect(given.slaDue).toBe(Date.parse(assignment.assignedAt) / 1000);
    expect((await leads.get(lead.leadId, NOW))?.lead.assignment).toMatchObject({ notifyFailedAt: NOW.toISOString() });
    expect(await leads.markNotified(lead.leadId, { ...assignment, generation: 2 }, NOW)).toBe(false);
    expect(await leads.markNotified(lead.leadId, assignment, NOW)).toBe(true);
    const claimed = await leads.get(lead.leadId, NOW);
    expect(claimed?.lead.assignment?.notifyFailedAt).toBeUndefined();
    expect(claimed?.version).toBe(4);
    expect((await rawItem(lead.leadId)).slaDue).toBe(Date.parse(assignment.slaDueAt) / 1000);
    expect(await leads.markNotified(leadIdFor(99), assignment, NOW)).toBe(false);
  });

  it('keeps a destination outbox packed apart until it is cleared; the local views see the lead unpacked', async () => {
    const leads = new DynamoLeadRepository(db, tableName);
    const lead = assignedLead(leadIdFor(5));
    const outbox = [{ id: 'evt_1', type: 'lead.created', at: NOW.toISOString() }] as unknown as PendingEvent[];
    await leads.save(lead, undefined, NOW, outbox);
    expect(await leads.get(lead.leadId, NOW)).toEqual({ lead, version: 1, outbox });
    // Claiming the rep's email rewrites the packed lead: the pending events go with it, never dropped.
    expect(await leads.markNotified(lead.leadId, lead.assignment!, NOW)).toBe(true);
    expect((await leads.get(lead.leadId, NOW))?.outbox).toEqual(outbox);
    const readable = (await scanWholeTable(db, tableName)).find((item) => item.pk === leadKey(lead.leadId).pk);
    expect(readable).toMatchObject({ itemType: 'lead', email: lead.email, consents: lead.consents, outbox, version: 2 });
    expect(await leads.clearOutbox(lead.leadId, 2)).toBe(true);
    expect(await leads.get(lead.leadId, NOW)).toEqual({ lead: { ...lead, assignment: { ...lead.assignment, notifiedAt: NOW.toISOString() } }, version: 2 });
    expect((await rawItem(lead.leadId)).routingPartition).toBeUndefined();
  });
});
