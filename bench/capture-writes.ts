import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoRateLimiter } from '../shared/adapters/dynamo-rate-limiter';
import { DynamoSubmissionStore } from '../shared/adapters/dynamo-submission-store';
import { SqsJsonQueue } from '../shared/adapters/sqs-queue';
import { DEDUPLICATION_WINDOW_SECONDS, submissionFingerprint } from '../shared/domain/capture/capture';
import { admitSubmission } from '../shared/domain/capture/rate-limits';
import type { Submission } from '../shared/domain/capture/submission';
import { submissionIdFor } from '../shared/domain/capture/submission-id';
import { createKeyring } from '../shared/domain/core/keyring';
import { renderToken } from '../shared/domain/core/links';
import type { RoutingMessage, StoredSubmission } from '../shared/domain/core/ports';
import { addDays, epochSeconds } from '../shared/domain/core/retention';
import type { ScreeningSettings } from '../shared/domain/core/settings';
import { routingMessage } from '../shared/domain/routing/routing-message';

/** Where capture's writes go, as plain data (it crosses to a worker thread). */
export interface CaptureWritesTarget {
  dynamodbEndpoint: string;
  sqsEndpoint: string;
  tableName: string;
  routingQueueUrl: string;
  hmacSecret: string;
  screening: ScreeningSettings;
}

/**
 * The writes one capture makes, through the adapters it uses and without anything around them:
 * its conditional put of the submission in parallel with the client's counter update, then the
 * routing message. `make` makes them for the i-th address and returns the ms taken; the clients
 * are there for other requests to the same endpoints.
 */
export function captureWrites(
  target: CaptureWritesTarget,
  tag: string,
): { db: DynamoDBDocumentClient; sqs: SQSClient; make(i: number): Promise<number>; close(): void } {
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const lowLevel = new DynamoDBClient({ region: 'us-east-1', endpoint: target.dynamodbEndpoint, credentials });
  const db = DynamoDBDocumentClient.from(lowLevel, { marshallOptions: { removeUndefinedValues: true } });
  const sqs = new SQSClient({ region: 'us-east-1', endpoint: target.sqsEndpoint, credentials });
  const keyring = createKeyring(target.hmacSecret);
  const submissions = new DynamoSubmissionStore(db, target.tableName);
  const admission = { rateLimiter: new DynamoRateLimiter(db, target.tableName), keyring, settings: { screening: target.screening } };
  const routingQueue = new SqsJsonQueue<RoutingMessage>(sqs, target.routingQueueUrl);
  const make = async (i: number) => {
    const now = new Date();
    const email = `${tag}${i}@engines.example`;
    const submission: Submission = {
      formId: 'newsletter',
      email,
      fields: { email },
      grantedPurposes: ['marketing_email'],
      attribution: {},
      gpc: false,
      screening: [],
    };
    const fingerprint = submissionFingerprint(keyring, submission);
    const stored: StoredSubmission = {
      leadId: keyring.emailHash(email),
      submissionId: submissionIdFor(fingerprint, now),
      formId: 'newsletter',
      at: now.toISOString(),
      submission,
      state: 'pending',
      fingerprint,
      dedupUntil: epochSeconds(now) + DEDUPLICATION_WINDOW_SECONDS,
      expiresAt: addDays(now, 1),
    };
    const client = {
      ip: `10.9.${(i >> 8) & 255}.${i & 255}`,
      email,
      fingerprint,
      mayMailStranger: true,
      renderToken: renderToken(keyring, 'newsletter', now),
    };
    const started = performance.now();
    await Promise.all([submissions.add(stored, now), admitSubmission(admission, client, now)]);
    await routingQueue.enqueue(routingMessage(stored.leadId, stored));
    return performance.now() - started;
  };
  return {
    db,
    sqs,
    make,
    close() {
      lowLevel.destroy();
      sqs.destroy();
    },
  };
}
