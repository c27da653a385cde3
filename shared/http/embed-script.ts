import { createHash } from 'node:crypto';

/**
 * GET /embed.js: progressive enhancement for Leadgate forms, no dependencies.
 *
 * It fetches a render token when the form first comes into view or is focused (and again on the
 * next focus if it failed to arrive), not at page load: a form in a site-wide footer would
 * otherwise cost a request and an invocation on every page view of the site, and the time trap
 * counts from when the person could see the form, as the iframe embed's `loading="lazy"` does.
 *
 * It posts what the form itself would (urlencoded, asking for JSON back): a CORS simple request,
 * so a page on an allowed origin makes no preflight, which would cost the visitor a round trip and
 * us one more request and invocation per lead. A retry or a double click is one submission all the
 * same (capture claims a post without an Idempotency-Key by its content, and the button waits), so
 * the script retries by itself, twice, after any 5xx (capture's 503 when it ran out of time,
 * or what a gateway or proxy answers for a function that failed or timed out:
 * 500, 502, 504, HTML as often as JSON), waiting its Retry-After (at most 10 s) or 3 s, and after
 * a network failure (3 s): a visitor who leaves after a first failure no longer takes the lead
 * with them. Its retries say so (`?retry=failure`), so capture promises routing of a submission
 * the failed attempt stored but may not have promised (it may have died between the two). It
 * shows field errors inline and reports GPC. A form's `data-post` (the hosted page's, naming
 * capture's function URL) is where it posts instead of the form's action.
 */
export const EMBED_SCRIPT = `(function(){"use strict";
function q(f,s){return f.querySelector(s)}
function err(f,n,m){var el=q(f,'[id="lg-'+n+'-error"]')||q(f,'#lg-consent-error');var i=q(f,'[name="'+n+'"]');if(i){i.setAttribute('aria-invalid','true');if(el)i.setAttribute('aria-describedby',el.id)}if(el){el.textContent=m;el.hidden=false}}
function clear(f){f.querySelectorAll('.lg-error').forEach(function(e){e.hidden=true;e.textContent=''});f.querySelectorAll('[aria-invalid]').forEach(function(e){e.removeAttribute('aria-invalid')})}
function post(url,d,left,status){function later(s){if(status)status.textContent='Still sending…';return new Promise(function(ok){setTimeout(ok,Math.min(s,10)*1000)}).then(function(){return post(url.split('?')[0]+'?retry=failure',d,left-1,status)})}
return fetch(url,{method:'POST',headers:{accept:'application/json'},body:d}).then(function(r){if(r.status>=500&&left>0)return later(Number(r.headers.get('retry-after'))||3);return r.json().then(function(j){return{s:r.status,j:j}})},function(e){if(left>0)return later(3);throw e})}
function enhance(f){var id=f.getAttribute('data-leadgate'),base=f.action.replace(/\\/forms\\/[^/]+\\/submissions$/,''),status=q(f,'.lg-status');
if(!q(f,'[name="renderedAt"]')){var t=document.createElement('input');t.type='hidden';t.name='renderedAt';f.appendChild(t);
var asked=false,token=function(){if(asked)return;asked=true;fetch(base+'/forms/'+encodeURIComponent(id)+'/render-token').then(function(r){return r.json()}).then(function(j){t.value=j.renderedAt}).catch(function(){asked=false})};
if(window.IntersectionObserver){var seen=new IntersectionObserver(function(es){if(es.some(function(e){return e.isIntersecting})){seen.disconnect();token()}});seen.observe(f)}else token();f.addEventListener('focusin',token)}
f.addEventListener('submit',function(ev){ev.preventDefault();clear(f);var d=new URLSearchParams(new FormData(f));
if(navigator.globalPrivacyControl)d.set('gpc','true');var b=q(f,'button[type=submit]');if(b)b.disabled=true;if(status)status.textContent='Sending…';
post(f.getAttribute('data-post')||f.action,d,2,status).then(function(x){if(b)b.disabled=false;
if(x.s===202){f.reset();if(status)status.textContent=(x.j&&x.j.message)||'Thank you! We received your message.';f.setAttribute('data-leadgate-sent','true');return}
var e=x.j&&x.j.error;if(status)status.textContent=e?e.message:'Something went wrong.';if(e&&e.fields){Object.keys(e.fields).forEach(function(n){err(f,n,e.fields[n])});var first=q(f,'[aria-invalid=true]');if(first)first.focus()}}).catch(function(){if(b)b.disabled=false;if(status)status.textContent='We could not reach the server. Please try again.'})})}
function run(){document.querySelectorAll('form[data-leadgate]').forEach(enhance)}
if(document.readyState==='loading')document.addEventListener('DOMContentLoaded',run);else run()})();
`;

/**
 * The hosted form page carries the script inline rather than loading /embed.js: one request and
 * one invocation fewer per visitor (most arrive once, from a link), and its Content-Security-Policy
 * allows exactly this text by its hash.
 */
export const EMBED_SCRIPT_CSP_SOURCE = `'sha256-${createHash('sha256').update(EMBED_SCRIPT, 'utf8').digest('base64')}'`;
