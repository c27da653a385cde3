/**
 * Dollars per million leads from the AWS requests counted per lead in a soak run. List prices,
 * us-east-1, November 2026 as we know them; check the pricing pages before relying on a figure.
 */
export const PRICES = {
  /** HTTP API, per million requests (first 300 million a month). */
  httpApiPerMillion: 1.0,
  /** Lambda arm64: per million requests, and per GB-second. */
  lambdaPerMillion: 0.2,
  lambdaArmPerGbSecond: 0.0000133334,
  /** DynamoDB on demand: per million write and read request units. */
  dynamoWritePerMillion: 0.625,
  dynamoReadPerMillion: 0.125,
  /** SQS standard, per million requests (64 KB chunks). */
  sqsPerMillion: 0.4,
  /** SES, per thousand messages. */
  sesPerThousand: 0.1,
  /** KMS, per ten thousand requests (DynamoDB caches table keys, so few per lead). */
  kmsPerTenThousand: 0.03,
};

/** Assumptions the counts cannot show, stated rather than hidden. */
export const ASSUMPTIONS = {
  /** Lead items are 1-3 KB: a write of one costs this many write units on average. */
  writeUnitsPerWrite: 2,
  /** Consistent reads of items under 4 KB: one read unit each. */
  readUnitsPerRead: 1,
  /** Lambda invocations per lead: capture, the forms page, routing (batched 10 to one) and nurture. */
  lambdaInvocationsPerLead: 2.5,
  /** Average billed duration per invocation (ms) at 512-1024 MB. */
  lambdaMsPerInvocation: 60,
  lambdaGb: 0.75,
  /** HTTP API requests per lead: the form page, the render token or capture. */
  httpRequestsPerLead: 2,
  kmsRequestsPerLead: 0.01,
};

const WRITES = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'];
const READS = ['GetItem', 'Query', 'Scan', 'BatchGetItem'];

export function costPerMillionLeads(requestsPerLead: Record<string, number>) {
  let writes = 0;
  let reads = 0;
  let sqs = 0;
  let ses = 0;
  for (const [key, perLead] of Object.entries(requestsPerLead)) {
    const [service, operation = ''] = key.split(':');
    if (service === 'dynamodb' && WRITES.includes(operation)) writes += perLead;
    if (service === 'dynamodb' && READS.includes(operation)) reads += perLead;
    if (service === 'sqs') sqs += perLead;
    if (service === 'ses' && operation === 'SendEmail') ses += perLead;
  }
  const a = ASSUMPTIONS;
  const items = {
    'API Gateway HTTP API': a.httpRequestsPerLead * PRICES.httpApiPerMillion,
    'Lambda requests': a.lambdaInvocationsPerLead * PRICES.lambdaPerMillion,
    'Lambda compute (arm64 GB-s)': a.lambdaInvocationsPerLead * (a.lambdaMsPerInvocation / 1000) * a.lambdaGb * PRICES.lambdaArmPerGbSecond * 1e6,
    'DynamoDB writes': writes * a.writeUnitsPerWrite * PRICES.dynamoWritePerMillion,
    'DynamoDB reads': reads * a.readUnitsPerRead * PRICES.dynamoReadPerMillion,
    'SQS requests': sqs * PRICES.sqsPerMillion,
    KMS: a.kmsRequestsPerLead * PRICES.kmsPerTenThousand * 100,
  };
  const beforeSes = Object.values(items).reduce((sum, v) => sum + v, 0);
  return { items, beforeSes, ses: ses * PRICES.sesPerThousand * 1000 };
}
