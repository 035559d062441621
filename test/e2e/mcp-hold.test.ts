// approvals.hold_seconds on the MCP surface: a tool call that needs an approval waits for it, and
// runs at once when an SRE approves while it waits.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startInfraHttp, type InfraHttpServer } from '../../examples/agents/infra-server.js';
import type { RunningAirlock } from '../support/airlock-process.js';
import { approve, connectAgent, startMcpGateway } from '../support/mcp-gateway.js';

let server: InfraHttpServer;
let airlock: RunningAirlock;
const ran: number[] = [];

before(async () => {
  server = await startInfraHttp(0, { onCall: (_t, args) => ran.push(args['replicas'] as number) });
  airlock = await startMcpGateway({ upstream: server.url }, { approvals: { hold_seconds: 45, ttl_seconds: 600 } });
});
after(async () => {
  await airlock.stop();
  await server.close();
});

describe('a held MCP tool call', () => {
  it('runs at once when approved while it waits', async () => {
    const agent = await connectAgent(airlock, await airlock.token({ sub: 'claude', groups: ['agents'] }));
    const sre = await airlock.token({ sub: 'sam', groups: ['sre'] });
    const call = agent.callTool({ name: 'scale_deployment', arguments: { namespace: 'prod', deployment: 'api', replicas: 25 } }, undefined, { timeout: 60_000 });
    let id: string | undefined;
    for (let tries = 0; !id && tries < 300; tries++) {
      const pending = (await (await fetch(`${airlock.adminUrl}/api/v1/approvals?status=pending`, { headers: { authorization: `Bearer ${sre}` } })).json()) as { id: string }[];
      id = pending[0]?.id;
      if (!id) await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(ran, [], 'nothing ran while it waited');
    await approve(airlock, sre, id!);
    assert.match(JSON.stringify((await call).content), /scaled to 25/);
    assert.deepEqual(ran, [25]);
    await agent.close();
  });
});
