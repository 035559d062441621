// End to end: who sees which approval. Object routes are decided on `Approval::"<id>"` too, so a
// bundle can let requesters read their own; refusals say no more than "no such approval"; lists
// are paged (Link rel=next) so a flood by one principal cannot hide the others, and one principal
// may only hold so many open approvals; query strings never reach an approval.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startDemoUpstream } from '../../src/dev/demo-upstream.js';
import { runCli, startAirlock, type RunningAirlock } from '../support/airlock-process.js';

let airlock: RunningAirlock;
let upstream: Awaited<ReturnType<typeof startDemoUpstream>>;
const tokens: Record<string, string> = {};

before(async () => {
  upstream = await startDemoUpstream(0);
  airlock = await startAirlock({
    policies: {
      'p.cedar': `
@id("needs-a-lead") @approval("ml-leads") permit (principal, action == Action::"http.read", resource in Resource::"echo");
@id("leads") permit (principal in Group::"ml-leads", action, resource == Airlock::"control-plane");
@id("own") permit (principal, action == Action::"admin.approvals.read", resource is Approval) when { resource.requester == principal };
`,
    },
    resources: [{ name: 'echo', type: 'http', upstream: `${upstream.url}/debug/echo` }],
    config: { approvals: { max_pending_per_principal: 5 } },
  });
  for (const [sub, groups] of [['alice', []], ['bob', []], ['mallory', []], ['lee', ['ml-leads']]] as const) tokens[sub] = await airlock.token({ sub, groups: [...groups] });
});
after(async () => {
  await airlock?.stop();
  upstream?.server.close();
});

const ask = async (who: string, path: string) => {
  const res = await fetch(`${airlock.dataUrl}/echo${path}`, { headers: { authorization: `Bearer ${tokens[who]}` } });
  return { status: res.status, body: (await res.json()) as { code: string; approval_id?: string } };
};
const api = (who: string, path: string) => fetch(`${airlock.adminUrl}${path}`, { headers: { authorization: `Bearer ${tokens[who]}` } });

describe('approval visibility', () => {
  it('lets a requester read their own approval and answers anyone else as if it did not exist', async () => {
    const { body } = await ask('alice', '/report?api_key=sk-very-secret');
    const id = body.approval_id!;
    const own = await api('alice', `/api/v1/approvals/${id}`);
    assert.equal(own.status, 200);
    const text = await own.text();
    assert.ok(!text.includes('sk-very-secret'), 'the query string is not stored, only its digest');
    assert.match(text, /"query_sha256":"[0-9a-f]{64}"/);
    const other = await api('bob', `/api/v1/approvals/${id}`);
    const missing = await api('bob', '/api/v1/approvals/no-such-id');
    assert.equal(other.status, 404);
    assert.equal(((await other.json()) as { detail: string }).detail, `no approval ${id}`);
    assert.equal(missing.status, 404);
    const vote = await fetch(`${airlock.adminUrl}/api/v1/approvals/${id}/approve`, { method: 'POST', headers: { authorization: `Bearer ${tokens.bob}` }, body: '{}' });
    assert.equal(vote.status, 404);
    assert.equal((await api('lee', `/api/v1/approvals/${id}`)).status, 200);
  });

  it('caps the approvals one principal may hold open, and pages lists so a flood hides no one', async () => {
    const codes: string[] = [];
    for (let i = 0; i < 7; i++) codes.push((await ask('mallory', `/flood/${i}`)).body.code);
    assert.deepEqual(codes, ['approval_required', 'approval_required', 'approval_required', 'approval_required', 'approval_required', 'too_many_pending', 'too_many_pending']);
    const { body } = await ask('bob', '/late');
    const seen: string[] = [];
    let next: string | undefined = '/api/v1/approvals?status=pending&limit=2';
    let pages = 0;
    while (next) {
      const res = await api('lee', next);
      seen.push(...((await res.json()) as { id: string }[]).map((a) => a.id));
      next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
      pages++;
    }
    assert.ok(pages >= 4);
    assert.ok(seen.includes(body.approval_id!));
    assert.equal(new Set(seen).size, seen.length, 'no approval twice');
    assert.equal(seen.length, 7, 'alice 1, mallory 5, bob 1');
    const cli = await runCli(['approvals', 'list', '--server', airlock.adminUrl], { env: { AIRLOCK_TOKEN: tokens.lee! } });
    assert.equal(cli.stdout.trim().split('\n').length, 1 + 7, 'the CLI follows every page');
  });
});
