// The minimal approval page at /approvals/{id}: shows the request in full and lets a signed-in
// approver vote. The page itself carries no data; its script reads the approval through the API
// with the token the approver pastes (kept in this tab's sessionStorage only), so the page
// needs no authentication of its own and every read and vote is decided and audited as usual.
import { createHash } from 'node:crypto';

const STYLE = `body{font:15px system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}
h1{font-size:1.4rem}table{border-collapse:collapse;width:100%}td{padding:.35rem .5rem;border-bottom:1px solid #e5e7eb;vertical-align:top}
td:first-child{color:#57606a;width:9rem}pre{white-space:pre-wrap;margin:0;font-size:13px}
.status{font-weight:600}button{font-size:1rem;padding:.4rem 1.2rem;margin-right:.5rem;cursor:pointer}
#approve{background:#1f883d;color:#fff;border:0}#deny{background:#cf222e;color:#fff;border:0}
input,textarea{width:100%;box-sizing:border-box;font:inherit;margin:.25rem 0 .75rem}#msg{margin-top:1rem;font-weight:600}`;

const SCRIPT = `
const id = decodeURIComponent(location.pathname.split('/').pop());
const tokenInput = document.getElementById('token');
tokenInput.value = sessionStorage.getItem('airlock-token') || '';
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
async function api(method, path, body) {
  sessionStorage.setItem('airlock-token', tokenInput.value.trim());
  const res = await fetch(path, { method, headers: { authorization: 'Bearer ' + tokenInput.value.trim(), 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error((json.code || res.status) + ': ' + (json.detail || res.statusText));
  return json;
}
function render(a) {
  const rows = [
    ['Status', '<span class="status" id="status">' + esc(a.status) + '</span>'],
    ['Principal', esc(a.principal.type + '::"' + a.principal.id + '"') + ' (groups: ' + esc(a.principal.groups.join(', ') || 'none') + ')'],
    ['Action', esc(a.action)], ['Resource', esc(a.resource)],
    ['Request', esc(a.request.method + ' ' + a.request.path) + (a.request.query_sha256 ? '<br>query sha256 ' + esc(a.request.query_sha256) : '') + (a.request.body_sha256 ? '<br>body sha256 ' + esc(a.request.body_sha256) : '')],
    ['Approvers', esc((a.requirements || [{ groups: a.groups, quorum: a.quorum }]).map((r) => r.quorum + ' of ' + r.groups.join(', ')).join(' and '))],
    ['Votes', a.votes.map((v) => esc(v.vote + ' by ' + v.approver.id + (v.reason ? ': ' + v.reason : ''))).join('<br>') || 'none'],
    ['Reason', esc(a.reason || '')], ['Context', '<pre>' + esc(JSON.stringify(a.context, null, 2)) + '</pre>'],
    ['Created', esc(a.created_at)], ['Expires', esc(a.expires_at)], ['Policies', esc(a.policies.join(', '))],
  ];
  document.getElementById('details').innerHTML = rows.map(([k, v]) => '<tr><td>' + k + '</td><td>' + v + '</td></tr>').join('');
}
async function load() {
  try { render(await api('GET', '/api/v1/approvals/' + encodeURIComponent(id))); document.getElementById('msg').textContent = ''; }
  catch (e) { document.getElementById('msg').textContent = e.message; }
}
async function vote(verb) {
  try { render(await api('POST', '/api/v1/approvals/' + encodeURIComponent(id) + '/' + verb, { reason: document.getElementById('reason').value }));
        document.getElementById('msg').textContent = 'Your vote (' + verb + ') was recorded.'; }
  catch (e) { document.getElementById('msg').textContent = e.message; }
}
document.getElementById('load').onclick = load;
document.getElementById('approve').onclick = () => vote('approve');
document.getElementById('deny').onclick = () => vote('deny');
if (tokenInput.value) load();
`;

const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/**
 * Headers of every HTML answer: the page runs only its own inline script and style (by hash), talks
 * only to this origin, cannot be framed (clickjacking a vote), and leaks no URL in a Referer.
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': `default-src 'none'; script-src ${hash(SCRIPT)}; style-src ${hash(STYLE)}; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

export function approvalPage(): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Airlock approval</title>
<meta name="viewport" content="width=device-width,initial-scale=1"><style>${STYLE}</style></head><body>
<h1>Approval request</h1>
<label>Your bearer token (OIDC or API key)<input id="token" type="password" autocomplete="off"></label>
<button id="load">Show request</button>
<table id="details"></table>
<label>Reason<textarea id="reason" rows="2"></textarea></label>
<button id="approve">Approve</button><button id="deny">Deny</button>
<div id="msg" role="status"></div>
<script>${SCRIPT}</script></body></html>`;
}
