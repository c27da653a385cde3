import type { LeadgateSettings } from '../../shared/domain/core/settings';
import { embedSnippet } from '../../shared/http/embed-snippet';
import { html } from '../../shared/email/html';
import { page } from '../../shared/http/html';
import type { LocalRoute } from './http-gateway';
import { type PipelineRow, pipelineTable } from './pipeline-view';

/** GET / on the local runtime only: every form, its hosted page, its embed snippet, the latest submissions and their mails. */
export function demoPageRoute(
  settings: LeadgateSettings,
  urls: () => { api: string; capture: string; ses: string },
  latest: () => Promise<PipelineRow[]> = async () => [],
): LocalRoute {
  return {
    method: 'GET',
    path: '/',
    async handle() {
      const { api, capture, ses } = urls();
      const rows = (await latest()).slice(0, 5);
      const forms = Object.entries(settings.forms).map(
        ([id, form]) => html`<section><h2>${form.title} <small>(${id})</small></h2>
<p><a href="/forms/${encodeURIComponent(id)}">Open the hosted form</a> · origins allowed to embed it: ${form.allowedOrigins.join(', ') || 'none'}</p>
<details><summary>Embed snippet</summary><pre>${embedSnippet(settings, id, api, capture)}</pre></details></section>\n`,
      );
      return {
        status: 200,
        headers: { 'content-type': 'text/html; charset=utf-8' },
        body: page(
          'Leadgate (local)',
          html`<h1>Leadgate, running locally</h1>
<p>Fill in a form, then watch the emails arrive in the <a href="${ses}">mail viewer</a>. A person asks for their data on the <a href="/privacy">privacy page</a>. Move time on with
<code>curl -X POST ${api}/_local/clock/advance -H 'content-type: application/json' -d '{"by":"3d"}'</code>.</p>
${forms}
<section><h2>Destinations</h2><p>Leads that consent to sales contact go on to the destinations in the configuration: locally, to a webhook sink that checks every signature, a HubSpot double that checks every request against HubSpot's own API description, and a Slack double. <a href="/_local/destinations">See what each received</a>.</p></section>
<section><h2>Reports</h2><p>Counted as leads move, without holding anyone: the <a href="/_local/reports/funnel">funnel</a>, <a href="/_local/reports/speed">speed to lead</a>, <a href="/_local/reports/load">rep load</a> and <a href="/_local/reports/calibration">score calibration</a> (exact counts, for operators; <code>npx leadgate report funnel --private --epsilon 1</code> makes one to share).</p></section>
<section><h2>The pipeline</h2><p>The latest submissions and where each one is (<a href="/_local/pipeline">watch them live</a>, with every submission's mails and their headers).</p>${pipelineTable(rows)}</section>`,
        ),
      };
    },
  };
}
