import { SQSClient } from '@aws-sdk/client-sqs';
import { startSqs } from '../../infra/local/emulators';

/** The SQS emulator on a free port with a client for it, for tests of SQS adapters; `stop` ends both. */
export async function startLocalSqs(): Promise<{ sqs: SQSClient; url: string; stop: () => Promise<void> }> {
  const emulator = await startSqs(0);
  const sqs = new SQSClient({ region: 'us-east-1', endpoint: emulator.url, credentials: { accessKeyId: 'l', secretAccessKey: 'l' } });
  return {
    sqs,
    url: emulator.url,
    stop: async () => {
      sqs.destroy();
      await emulator.stop();
    },
  };
}
