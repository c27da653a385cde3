import { describe, expect, it } from 'vitest';
import { createKeyring } from '../../shared/domain/core/keyring';
import { addressShapes, admitSubmission, type ClientRequest } from '../../shared/domain/capture/rate-limits';
import { exampleConfig, TEST_SECRET } from '../support/example-config';
import { InMemoryRateLimiter } from '../support/in-memory-ports';

const keyring = createKeyring(TEST_SECRET);
const now = new Date('2026-11-30T10:00:00Z');

function admission(screening = exampleConfig.screening) {
  const deps = { rateLimiter: new InMemoryRateLimiter(), keyring, settings: { screening } };
  const request = (email: string, extra: Partial<ClientRequest> = {}): ClientRequest => ({
    ip: '203.0.113.7',
    email,
    fingerprint: `fp-${email}`,
    mayMailStranger: false,
    ...extra,
  });
  return { deps, admit: (email: string, extra: Partial<ClientRequest> = {}, at = now) => admitSubmission(deps, request(email, extra), at) };
}

describe('address shapes', () => {
  it('name the counter in a local part and a numbered domain, and nothing for plain addresses', () => {
    expect(addressShapes('lead17@acme.example')).toEqual(['lead#@acme.example']);
    expect(addressShapes('sales@company42.example')).toEqual(['*@company#.example']);
    expect(addressShapes('j2@c3.example')).toEqual(['j#@c#.example', '*@c#.example']);
    expect(addressShapes('ada.lovelace@analytical.example')).toEqual([]);
  });
});

describe('admission of one client', () => {
  it('holds posts past the hourly burst allowance with ip_burst, and counts a new hour afresh', async () => {
    const { admit } = admission();
    const held = [];
    for (let i = 0; i < 12; i++) held.push((await admit(`person-${String.fromCharCode(97 + i)}@x.example`)).held);
    expect(held.slice(0, 10).every((reasons) => reasons.length === 0)).toBe(true);
    expect(held.slice(10)).toEqual([['ip_burst'], ['ip_burst']]);
    expect((await admit('next-hour@x.example', {}, new Date('2026-11-30T11:00:00Z'))).held).toEqual([]);
  });

  it('holds the fourth numbered address of one shape with pattern_burst, not a different shape', async () => {
    const { admit } = admission();
    for (const n of [1, 2, 3]) expect((await admit(`lead${n}@acme.example`)).held).toEqual([]);
    expect((await admit('lead4@acme.example')).held).toEqual(['pattern_burst']);
    expect((await admit('other9@acme.example')).held).toEqual([]);
  });

  it('lets a render token carry one submission; its retry counts once; a second holds with render_token_reused', async () => {
    const { admit } = admission();
    expect((await admit('a@x.example', { renderToken: 'token-a', fingerprint: 'one' })).held).toEqual([]);
    expect((await admit('a@x.example', { renderToken: 'token-a', fingerprint: 'one' })).held).toEqual([]);
    expect((await admit('b@x.example', { renderToken: 'token-a', fingerprint: 'two' })).held).toEqual(['render_token_reused']);
    expect((await admit('c@x.example', { renderToken: 'token-b', fingerprint: 'three' })).held).toEqual([]);
  });

  it('refuses with 429 past the per-minute limit, and counts mail a post may cause', async () => {
    const { admit } = admission({ ...exampleConfig.screening, rateLimits: { perIpPerMinute: 2, perEmailPerHour: 100 } });
    expect((await admit('a@x.example', { mayMailStranger: true })).strangerMails).toBe(1);
    expect((await admit('b@x.example', { mayMailStranger: true })).strangerMails).toBe(2);
    await expect(admit('c@x.example')).rejects.toMatchObject({ code: 'rate_limited', retryAfterSeconds: 60 });
  });
});
