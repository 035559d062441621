// The walk-through's approval inbox: a webhook channel receiver that checks each notification's
// `Airlock-Signature` and prints it, as an SRE's chat would show it.
import { createServer } from 'node:http';
import { verifyWebhook } from '../../src/lib/webhook-signature.js';

const SECRET = process.env.WEBHOOK_SECRET ?? 'demo-webhook-secret';

export function startInbox(port: number, print: (line: string) => void = (l) => process.stdout.write(`${l}\n`)) {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (!verifyWebhook(SECRET, body, String(req.headers['airlock-signature'] ?? ''), Date.now())) {
        res.writeHead(401).end();
        return;
      }
      const msg = JSON.parse(body) as { event: string; approval?: { id: string; action: string; resource: string; context: Record<string, unknown> }; approve_url?: string; alert?: unknown };
      if (msg.approval) {
        const args = JSON.stringify(msg.approval.context['arguments'] ?? {});
        print(`inbox: ${msg.event} ${msg.approval.action} on ${msg.approval.resource} ${args} -> ${msg.approve_url}`);
        if (msg.event === 'approval.created') print(`inbox: approve with: npx airlock approvals approve ${msg.approval.id} --server http://127.0.0.1:8081`);
      } else print(`inbox: ${msg.event} ${JSON.stringify(msg.alert)}`);
      res.writeHead(200).end('ok');
    });
  });
  return new Promise<typeof server>((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}
