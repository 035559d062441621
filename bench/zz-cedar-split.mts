import { statefulIsAuthorized, preparsePolicySet } from '@cedar-policy/cedar-wasm/nodejs';
import { ipValue } from '/work/main/src/decide/index.ts';
const policies = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`p${i}`, `permit (principal in Group::"team-${i}", action == Action::"model.invoke", resource in Resource::"res-${i}") when { context.model == "m-${i}" };`]));
function time(label: string, f: (i: number) => unknown, n = 4000) {
  for (let i = 0; i < 500; i++) f(i);
  const t: number[] = [];
  for (let i = 0; i < n; i++) { const t0 = process.hrtime.bigint(); f(i); t.push(Number(process.hrtime.bigint() - t0) / 1000); }
  t.sort((a, b) => a - b);
  console.log(label.padEnd(50), 'p50', t[n >> 1]!.toFixed(1), 'µs');
}
for (const n of [1, 10, 70]) {
  preparsePolicySet(`s${n}`, { staticPolicies: policies(n) });
  const fullCtx = { mfa: false, mfa_age: 2147483647, source_ip: ipValue('127.0.0.1'), hour: 13, weekday: 1, method: 'POST', path: '/v1/chat/completions', model: 'gpt-4o-mini', stream: false };
  const ents = (i: number) => [
    { uid: { type: 'User', id: `u${i}` }, attrs: {}, parents: [{ type: 'Group', id: 'ml-eng' }, { type: 'Group', id: 'team-3' }] },
    { uid: { type: 'Model', id: 'llm/gpt-4o-mini' }, attrs: {}, parents: [{ type: 'Resource', id: 'llm' }] },
    { uid: { type: 'Resource', id: 'llm' }, attrs: { environment: 'bench' }, parents: [] },
    { uid: { type: 'Action', id: 'model.invoke' }, attrs: {}, parents: [] },
  ];
  const call = (ctx: object, e: (i: number) => object[]) => (i: number) => statefulIsAuthorized({ principal: { type: 'User', id: `u${i}` }, action: { type: 'Action', id: 'model.invoke' }, resource: { type: 'Model', id: 'llm/gpt-4o-mini' }, context: ctx as any, preparsedPolicySetId: `s${n}`, entities: e(i) as any });
  time(`${n} policies, full ctx, 4 entities`, call(fullCtx, ents));
  time(`${n} policies, ctx {model}, 4 entities`, call({ model: 'gpt-4o-mini' }, ents));
  time(`${n} policies, ctx {}, 0 entities`, call({}, () => []));
}
