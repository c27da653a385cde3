import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Clients are created once per container. Endpoints come from the SDK's standard variables
 * (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_SQS, ...), which is how the
 * local runtime and the tests point the same code at the emulators.
 */
const requestHandler = { connectionTimeout: 2_000, requestTimeout: 5_000 };

export function createDocumentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({ requestHandler }), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

export function createSqsClient(): SQSClient {
  return new SQSClient({ requestHandler });
}

export function createSesClient(): SESv2Client {
  return new SESv2Client({ requestHandler });
}
