import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { captureRoute } from '../../shared/http/capture-handler';

const event = (method: string, routeKey: string, rawPath: string, formId?: string) =>
  ({ routeKey, rawPath, requestContext: { http: { method } }, ...(formId ? { pathParameters: { formId } } : {}) }) as unknown as APIGatewayProxyEventV2;

describe("capture's route", () => {
  it('takes the route and the form API Gateway names, whatever stage prefix the raw path carries', () => {
    expect(captureRoute(event('POST', 'POST /forms/{formId}/submissions', '/prod/forms/contact/submissions', 'contact'))).toEqual({
      formId: 'contact',
      renderToken: false,
    });
    expect(captureRoute(event('GET', 'GET /forms/{formId}/render-token', '/forms/newsletter/render-token', 'newsletter'))).toEqual({
      formId: 'newsletter',
      renderToken: true,
    });
  });

  it("reads a function URL's raw path, and refuses any other method or path there", () => {
    expect(captureRoute(event('POST', '$default', '/forms/contact/submissions'))).toEqual({ formId: 'contact', renderToken: false });
    expect(captureRoute(event('OPTIONS', '$default', '/forms/contact/submissions'))).toEqual({ formId: 'contact', renderToken: false });
    for (const [method, path] of [
      ['GET', '/forms/contact/submissions'],
      ['POST', '/forms/contact/render-token'],
      ['DELETE', '/forms/contact/submissions'],
      ['POST', '/prod/forms/contact/submissions'],
    ]) {
      expect(() => captureRoute(event(method!, '$default', path!)), `${method} ${path}`).toThrow(expect.objectContaining({ code: 'route_not_found' }));
    }
  });
});
