import { describe, expect, it } from 'vitest';
import { COMMANDS, runCli } from '../../cli/main';
import { embedEndpoints } from '../../cli/commands/operations';

const run = async (...argv: string[]) => {
  let out = '';
  let err = '';
  const code = await runCli(argv, {
    out: (text) => {
      out += text;
    },
    err: (text) => {
      err += text;
    },
    env: {},
  });
  return { code, out, err };
};

describe('the operator CLI', () => {
  it('lists every command of its table in the usage text', async () => {
    const { code, out } = await run('--help');
    expect(code).toBe(0);
    for (const command of COMMANDS) expect(out).toContain(`  ${command.name}`);
    expect(new Set(COMMANDS.map((c) => c.name)).size).toBe(COMMANDS.length);
  });

  it('answers a mistake in the call with the usage and exit code 2, before connecting to anything', async () => {
    expect(await run('leads', 'forget')).toMatchObject({ code: 2, err: expect.stringContaining('unknown command "leads forget"') });
    expect(await run('suppress', '--reason', 'bounced')).toMatchObject({ code: 2, err: expect.stringContaining('missing --email') });
    expect(await run('quarantine', 'release')).toMatchObject({ code: 2, err: expect.stringContaining('needs --email, --id or --reason') });
    expect(await run('quarantine', 'list', '--since', 'yesterday')).toMatchObject({ code: 2, err: expect.stringContaining('--since must be a date') });
    expect(await run('leads', 'show', '--colour')).toMatchObject({ code: 2, err: expect.stringContaining("Unknown option '--colour'") });
  });

  it('prints the iframe embed: the hosted page in a frame, named for assistive technology', async () => {
    let out = '';
    const code = await runCli(['embed', 'contact', '--iframe', '--api', 'https://leads.example.com/'], {
      out: (text) => {
        out += text;
      },
      err: () => undefined,
      env: {},
    });
    expect(code).toBe(0);
    expect(out).toContain('<iframe src="https://leads.example.com/forms/contact" title="Contact us"');
    expect(out).not.toContain('<script');
  });

  it("prints the embed posting where --capture says (the capture function's URL), with the script and the privacy page from the API", async () => {
    const { code, out } = await run('embed', 'contact', '--api', 'https://api.example.com/', '--capture', 'https://abc.lambda-url.us-east-1.on.aws/');
    expect(code).toBe(0);
    expect(out).toContain('action="https://abc.lambda-url.us-east-1.on.aws/forms/contact/submissions"');
    expect(out).toContain('src="https://api.example.com/embed.js"');
    expect(out).toContain('href="https://api.example.com/privacy"');
    // Without --capture, the form posts to the API.
    expect((await run('embed', 'contact', '--api', 'https://api.example.com')).out).toContain('action="https://api.example.com/forms/contact/submissions"');
  });

  it("takes an embed's URLs from a deployed stack's outputs (--stack), the flags before them, else the local runtime's", () => {
    const outputs = { ApiUrl: 'https://api.example.com/', CaptureUrl: 'https://abc.lambda-url.us-east-1.on.aws/' };
    const local = { api: 'http://127.0.0.1:3000', capture: 'http://127.0.0.1:3001' };
    expect(embedEndpoints({}, outputs, undefined)).toEqual({ api: outputs.ApiUrl, capture: outputs.CaptureUrl });
    // A stack with edge.captureFunctionUrl off names the API as its CaptureUrl.
    expect(embedEndpoints({}, { ApiUrl: outputs.ApiUrl, CaptureUrl: outputs.ApiUrl }, undefined)).toEqual({ api: outputs.ApiUrl, capture: outputs.ApiUrl });
    // --api (a custom domain before the API) is where it posts too, unless --capture says otherwise.
    expect(embedEndpoints({ api: 'https://leads.example.com' }, outputs, undefined)).toEqual({
      api: 'https://leads.example.com',
      capture: 'https://leads.example.com',
    });
    expect(embedEndpoints({ api: 'https://leads.example.com', capture: outputs.CaptureUrl }, outputs, undefined).capture).toBe(outputs.CaptureUrl);
    expect(embedEndpoints({}, undefined, local)).toEqual(local);
    expect(() => embedEndpoints({}, { TableName: 't' }, undefined)).toThrow('no ApiUrl output');
    expect(() => embedEndpoints({}, undefined, undefined)).toThrow('pass --stack NAME or --api URL');
  });
});
