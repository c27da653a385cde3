/**
 * Makes capture's writes from a thread of their own, as a function's sandbox (a worker thread in
 * the local runtime) makes them: the benchmark asks for one at a time and gets its ms back, and
 * terminates the thread when it is done.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type CaptureWritesTarget, captureWrites } from './capture-writes';

const writes = captureWrites(workerData as CaptureWritesTarget, 'thread');
const port = parentPort!;
port.on('message', (i: number) => {
  void writes.make(i).then((ms) => port.postMessage(ms));
});
