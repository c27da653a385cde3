import type { BoundResources } from '../../infra/topology';

/** Stand-ins for the stack's resources, on a loopback address nothing listens on, with an HMAC secret given as a value. */
export const standInResources = (name: string): BoundResources => ({
  tableName: name,
  publicApiUrl: 'http://127.0.0.1:9',
  captureUrl: 'http://127.0.0.1:9',
  queueUrl: (queue) => `http://127.0.0.1:9/000000000000/${queue}`,
  topicArn: (topic) => `arn:aws:sns:us-east-1:000000000000:${topic}.fifo`,
  destinations: () => ({ queueUrlBase: 'http://127.0.0.1:9/000000000000/', destinations: {} }),
  sesConfigurationSet: name,
  secret: (secret) => (secret === 'hmac' ? { value: 'x'.repeat(40) } : undefined),
});
