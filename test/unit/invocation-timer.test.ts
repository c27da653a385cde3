import { describe, expect, it } from 'vitest';
import { invocationTimer } from '../../infra/local/invocation-timer';

describe('timing the invocations of a local sandbox', () => {
  it("counts the thread's CPU time from an invocation's start to its end, and none between invocations", () => {
    let cpuMicros = 0;
    let now = 0;
    const timer = invocationTimer(
      () => cpuMicros,
      () => now,
    );
    cpuMicros += 5000; // idle: no invocation's
    now = 10;
    timer.start(1);
    cpuMicros += 2000;
    now = 16;
    expect(timer.end(1)).toEqual({ wallMs: 6, cpuMs: 2, aws: [] });
    cpuMicros += 7000; // idle again
    now = 30;
    timer.start(2);
    cpuMicros += 1000;
    now = 32;
    expect(timer.end(2)).toEqual({ wallMs: 2, cpuMs: 1, aws: [] });
  });

  it("keeps the order in which each invocation's AWS requests left and were answered", () => {
    const timer = invocationTimer(() => 0);
    timer.start(1);
    timer.start(2);
    // 1: a put and a counter update together, then a queue send; 2 an email of its own, then a send left running.
    const put = timer.requestSent(1, 'dynamodb')!;
    const counter = timer.requestSent(1, 'dynamodb')!;
    const email = timer.requestSent(2, 'ses')!;
    timer.requestAnswered(1, counter);
    timer.requestAnswered(2, email);
    timer.requestAnswered(1, put);
    timer.requestAnswered(1, timer.requestSent(1, 'sqs')!);
    timer.requestSent(2, 'sqs');
    expect(timer.end(1).aws).toEqual(['dynamodb', 'dynamodb', 1, 0, 'sqs', 2]);
    expect(timer.end(2).aws).toEqual(['ses', 0, 'sqs']);
    // Once an invocation has ended, its late requests are no one's.
    expect(timer.requestSent(2, 'sqs')).toBeUndefined();
  });

  it('refuses to end an invocation it did not start', () => {
    expect(() => invocationTimer(() => 0).end(7)).toThrow(/not started/);
  });
});
