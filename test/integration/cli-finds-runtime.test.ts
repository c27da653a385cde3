import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/main';
import { RUNTIME_STATE_FILE } from '../../infra/local/runtime-state';
import type { LocalRuntime } from '../../infra/local/runtime';
import { CONSENT_VERSION, configFileWith } from '../support/example-config';
import { eventually, post, postLocal, startTestRuntime } from '../support/local-runtime';

// `npx leadgate` run by an operator, with no variables set, against a runtime on ports it was not
// told about: it finds it through the state file in the runtime's data folder.

const dir = mkdtempSync(join(tmpdir(), 'leadgate-project-'));
let runtime: LocalRuntime | undefined;

const cli = async (...args: string[]) => {
  let out = '';
  const code = await runCli([...args, '--dir', dir], {
    out: (text) => {
      out += text;
    },
    err: (text) => {
      out += text;
    },
    env: {},
  });
  return { code, out };
};

beforeAll(async () => {
  runtime = await startTestRuntime({ dataDir: join(dir, '.leadgate'), configFile: configFileWith((c) => (c.forms.contact.renderToken = 'required')) });
});
afterAll(() => runtime?.stop());

describe('the CLI and the local runtime', () => {
  it("prints an embed for the running runtime: the script from its API, the render token and the post at capture's URL", async () => {
    const { code, out } = await cli('embed', 'contact');
    expect(code).toBe(0);
    expect(new URL(runtime!.urls.capture).port).not.toBe('3001');
    expect(out).toContain(`action="${runtime!.urls.capture}/forms/contact/submissions"`);
    expect(out).toContain(`src="${runtime!.urls.api}/embed.js"`);
  });

  it('finds a runtime on non-default ports from its folder, with no variables set, and reads its clock', async () => {
    expect(new URL(runtime!.urls.dynamodb).port).not.toBe('8000');
    expect(await cli('quarantine', 'list', '--json')).toEqual({ code: 0, out: '[]\n' });

    // A post without the form's render token is held: the CLI sees it.
    const response = await post(runtime!, '/forms/contact/submissions', {
      email: 'finder@engines.example',
      consent: ['sales_contact'],
      consentVersion: CONSENT_VERSION,
      renderedAt: null,
    });
    expect(response.status).toBe(202);
    await eventually(async () => expect(JSON.parse((await cli('quarantine', 'list', '--json')).out)).toHaveLength(1));

    // The runtime's clock moved three days: the CLI works on that time, not the wall clock.
    expect((await postLocal(runtime!, '/_local/clock/advance', { by: '3d' })).status).toBe(200);
    const status = await cli('mail', 'status', '--json');
    expect(status.code).toBe(0);
    const released = await cli('quarantine', 'release', '--email', 'finder@engines.example');
    expect(released).toMatchObject({ code: 0, out: expect.stringContaining('Released 1') });
    const exported = await eventually(async () => {
      const result = await cli('privacy', 'export', '--email', 'finder@engines.example');
      expect(JSON.parse(result.out).lead).toBeTruthy();
      return JSON.parse(result.out) as { exportedAt: string };
    });
    expect(Date.parse(exported.exportedAt)).toBeGreaterThan(Date.now() + 3 * 86_400_000 - 60_000);
  });

  it('says so when nothing runs there, or when the runtime that wrote the state file has gone; never tries a default port', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'leadgate-empty-'));
    let out = '';
    const code = await runCli(['quarantine', 'list', '--dir', empty], {
      out: () => undefined,
      err: (text) => {
        out += text;
      },
      env: {},
    });
    expect(code).toBe(1);
    expect(out).toContain('Leadgate is not running here');

    const stale = mkdtempSync(join(tmpdir(), 'leadgate-stale-'));
    writeFileSync(join(stale, RUNTIME_STATE_FILE), JSON.stringify({ pid: 2 ** 22 + 12345, startedAt: '', urls: {}, clockOffsetMs: 0 }));
    let staleOut = '';
    await runCli(['leads', 'show', '--email', 'a@example.com', '--dir', stale], {
      out: () => undefined,
      err: (text) => {
        staleOut += text;
      },
      env: {},
    });
    expect(staleOut).toContain('is no longer running');

    await runtime!.stop();
    runtime = undefined;
    expect(await cli('quarantine', 'list')).toMatchObject({ code: 1, out: expect.stringContaining('Leadgate is not running here') });
  });
});
