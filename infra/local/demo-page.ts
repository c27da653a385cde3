import type { LeadgateSettings } from '../../shared/domain/settings';
import { embedSnippet } from '../../shared/http/embed-snippet';
import { escapeHtml as e, page } from '../../shared/http/html';
import type { LocalRoute } from './http-gateway';

/** GET / on the local runtime only: every form, its hosted page, its embed snippet, the mail viewer. */
export function demoPageRoute(settings: LeadgateSettings, urls: () => { api: string; ses: string }): LocalRoute {
  return {
    method: 'GET',
    path: '/',
    async handle() {
      const { api, ses } = urls();
      const forms = Object.entries(settings.forms)
        .map(
          ([id, form]) => `<section><h2>${e(form.title)} <small>(${e(id)})</small></h2>
<p><a href="/forms/${e(encodeURIComponent(id))}">Open the hosted form</a> · origins allowed to embed it: ${form.allowedOrigins.map(e).join(', ') || 'none'}</p>
<details><summary>Embed snippet</summary><pre>${e(embedSnippet(settings, id, api))}</pre></details></section>`,
        )
        .join('\n');
      return {
        status: 200,
        headers: { 'content-type': 'text/html; charset=utf-8' },
        body: page(
          'Leadgate (local)',
          `<h1>Leadgate, running locally</h1>
<p>Fill in a form, then watch the emails arrive in the <a href="${e(ses)}">mail viewer</a>. Move time on with
<code>curl -X POST ${e(api)}/_local/clock/advance -H 'content-type: application/json' -d '{"by":"3d"}'</code>.</p>
${forms}`,
        ),
      };
    },
  };
}
