import { paginateScan, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LeadRepository } from '../shared/domain/core/ports';
import type { PrivacyRequest } from '../shared/domain/privacy/privacy';

export interface PendingRequest {
  requestId: string;
  type: PrivacyRequest['type'];
  createdAt: string;
  answerBy: string;
  reason: string;
  email: string | undefined;
}

/** A month to answer (GDPR Art. 12(3)), counted from the request. */
const ANSWER_DAYS = 30;

/**
 * Privacy requests whose link was not mailed (a stranger-mail budget, the bounce breaker, a
 * domain without mail): an operator answers each one by hand before its deadline. Listing scans
 * the table: an operator command, not a hot path.
 */
export async function pendingPrivacyRequests(db: DynamoDBDocumentClient, tableName: string, leads: LeadRepository, now: Date): Promise<PendingRequest[]> {
  const found: PendingRequest[] = [];
  const pages = paginateScan(
    { client: db },
    {
      TableName: tableName,
      FilterExpression: 'attribute_exists(unmailed) AND attribute_not_exists(usedAt) AND expiresAt > :now',
      ExpressionAttributeValues: { ':now': Math.floor(now.getTime() / 1000) },
    },
  );
  for await (const page of pages) {
    for (const item of (page.Items ?? []) as (PrivacyRequest & { unmailed: { reason: string } })[]) {
      found.push({
        requestId: item.requestId,
        type: item.type,
        createdAt: item.createdAt,
        answerBy: new Date(Date.parse(item.createdAt) + ANSWER_DAYS * 86_400_000).toISOString().slice(0, 10),
        reason: item.unmailed.reason,
        email: (await leads.get(item.leadId, now))?.lead.email,
      });
    }
  }
  return found.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}
