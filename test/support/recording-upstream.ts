// A fake upstream for tests of what the gateway injects: it answers every request with a fixed
// JSON body (never echoing what it got, so an answer cannot carry an injected credential back) and
// keeps the credentials it was sent, for the test to read.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordingUpstream {
  readonly url: string;
  /** `Authorization` headers received, oldest first. */
  readonly authorizations: string[];
  close(): Promise<void>;
}

export async function startRecordingUpstream(): Promise<RecordingUpstream> {
  const authorizations: string[] = [];
  const server: Server = createServer((req, res) => {
    authorizations.push(req.headers.authorization ?? '');
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    authorizations,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
