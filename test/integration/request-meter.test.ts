import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynamoDb, startSqs, type Emulator } from '../../infra/local/emulators';
import { provisionTable } from '../../infra/local/provision';
import { createRequestMeter } from '../../infra/local/request-meter';
import { topology } from '../../infra/topology';

let dynamodb: Emulator;
let tableName: string;
let db: DynamoDBDocumentClient;
const meter = createRequestMeter(topology.table.indexes);

beforeAll(async () => {
  dynamodb = await startDynamoDb(0);
  const client = new DynamoDBClient({ region: 'us-east-1', endpoint: dynamodb.url, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  tableName = await provisionTable(client);
  client.middlewareStack.use(meter.plugin);
  db = DynamoDBDocumentClient.from(client);
});
afterAll(() => dynamodb?.stop());

describe('the request meter (cost model input)', () => {
  it('counts requests, the capacity the table reports, and index writes as items enter, move in and leave the sparse indexes', async () => {
    const Key = { pk: 'LEAD#meter', sk: 'LEAD' };
    await db.send(new PutCommand({ TableName: tableName, Item: { ...Key, note: 'x'.repeat(1500), slaPartition: 'SLA', slaDue: 100 } })); // enters: 1
    const updated = await db.send(
      new UpdateCommand({ TableName: tableName, Key, UpdateExpression: 'SET slaDue = :due', ExpressionAttributeValues: { ':due': 200 } }),
    ); // moves: 2
    expect(updated.Attributes).toBeUndefined(); // the caller asked for nothing back
    expect(updated.ConsumedCapacity).toBeUndefined();
    await db.send(new PutCommand({ TableName: tableName, Item: { ...Key, note: 'short', slaPartition: 'SLA', slaDue: 200 } })); // stays: 0
    await db.send(new PutCommand({ TableName: tableName, Item: { ...Key, note: 'short', nurturePartition: 'NURTURE', nurtureDue: 5 } })); // SLA leaves, nurture enters: 2
    await expect(db.send(new PutCommand({ TableName: tableName, Item: { ...Key }, ConditionExpression: 'attribute_not_exists(pk)' }))).rejects.toMatchObject({
      name: 'ConditionalCheckFailedException',
    }); // costs a write unit, changes no index
    await db.send(new GetCommand({ TableName: tableName, Key, ConsistentRead: true }));
    await db.send(new DeleteCommand({ TableName: tableName, Key })); // nurture leaves: 1

    const readings = meter.readings();
    expect(readings.requests).toEqual({ 'dynamodb:PutItem': 4, 'dynamodb:UpdateItem': 1, 'dynamodb:GetItem': 1, 'dynamodb:DeleteItem': 1 });
    expect(readings.indexWriteUnits).toBe(1 + 2 + 0 + 2 + 1);
    expect(readings.indexWriteUnitsByIndex).toEqual({ 'bySlaDue (LEAD)': 1 + 2 + 1, 'byNurtureDue (LEAD)': 1 + 1 });
    // A write is charged by the larger of the item before and after it, as DynamoDB charges: the put
    // and the update of the 1.5 KB item 2 each, the put that shrinks it 2, then 1 each for the small
    // put, the failed condition and the delete.
    expect(readings.writeUnits).toBe(2 + 2 + 2 + 1 + 1 + 1);
    expect(readings.writeUnitsByItem).toEqual({ LEAD: readings.writeUnits });
    expect(readings.readUnits).toBe(1);
  });

  it("tells a poller's receives that found the queue empty (a fixed cost) from those that found a message", async () => {
    const sqsEmulator = await startSqs(0);
    const sqsMeter = createRequestMeter(topology.table.indexes);
    const sqs = new SQSClient({ region: 'us-east-1', endpoint: sqsEmulator.url, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    sqs.middlewareStack.use(sqsMeter.plugin);
    try {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'meter' }));
      await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0 }));
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'lead' }));
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
      expect(Messages).toHaveLength(1);
      await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0 }));
      const readings = sqsMeter.readings();
      expect(readings.requests['sqs:ReceiveMessage']).toBe(3);
      expect(readings.emptyReceives).toBe(2);
    } finally {
      sqs.destroy();
      await sqsEmulator.stop();
    }
  });
});
