import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { sqsBatchHandler } from '../../shared/adapters/sqs-batch';

const record = (messageId: string, key: string): SQSRecord =>
  ({
    messageId,
    body: JSON.stringify({ key }),
    receiptHandle: messageId,
    eventSource: 'aws:sqs',
    attributes: {},
    messageAttributes: {},
  }) as unknown as SQSRecord;

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

/** Keeps what the handler logs, for the tests to read. */
const recordingLogger = () => {
  const warnings: { message: string; extra: Record<string, unknown> }[] = [];
  return { warnings, warn: (message: string, extra: Record<string, unknown>) => warnings.push({ message, extra }) };
};
const quiet = recordingLogger();

describe('sqsBatchHandler, one record at a time per key', () => {
  it('handles records of one key in batch order without overlap, other keys alongside, and reports each failure on its own', async () => {
    const running = new Map<string, number>();
    const log: string[] = [];
    let overlapAcrossKeys = false;
    const handler = sqsBatchHandler(
      async (r) => {
        const { key } = JSON.parse(r.body) as { key: string };
        expect(running.get(key) ?? 0).toBe(0);
        running.set(key, 1);
        if ([...running.values()].filter((n) => n > 0).length > 1) overlapAcrossKeys = true;
        log.push(`start ${r.messageId}`);
        await tick();
        running.set(key, 0);
        if (r.messageId === 'a1') throw new Error('a1 fails');
      },
      { logger: quiet, oneAtATimePer: (r) => (JSON.parse(r.body) as { key: string }).key },
    );
    const event = { Records: [record('a1', 'a'), record('b1', 'b'), record('a2', 'a'), record('a3', 'a')] } as SQSEvent;
    const result = await handler(event, {} as Context);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'a1' }]);
    expect(log.filter((line) => line.includes(' a'))).toEqual(['start a1', 'start a2', 'start a3']);
    expect(overlapAcrossKeys).toBe(true);
  });

  it('runs afterBatch once, after every record is done (failed ones too), before answering', async () => {
    const log: string[] = [];
    const handler = sqsBatchHandler(
      async (r) => {
        await tick();
        log.push(r.messageId);
        if (r.messageId === 'b1') throw new Error('b1 fails');
      },
      {
        logger: quiet,
        afterBatch: async () => {
          log.push('after');
        },
      },
    );
    const result = await handler({ Records: [record('a1', 'a'), record('b1', 'b'), record('c1', 'c')] } as SQSEvent, {} as Context);
    expect(log.slice(0, 3).sort()).toEqual(['a1', 'b1', 'c1']);
    expect(log.slice(3)).toEqual(['after']);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'b1' }]);
  });

  it('logs each failed record with its message id and the error, and none that succeeded', async () => {
    const logger = recordingLogger();
    const failure = new TypeError('cannot read the lead of ada@example.com');
    const handler = sqsBatchHandler(
      async (r) => {
        if (r.messageId === 'b1') throw failure;
      },
      { logger },
    );
    await handler({ Records: [record('a1', 'a'), record('b1', 'b')] } as SQSEvent, {} as Context);
    expect(logger.warnings).toEqual([{ message: 'record failed; SQS delivers it again', extra: { messageId: 'b1', error: failure } }]);
  });
});
