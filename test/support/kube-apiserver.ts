// A stand-in Kubernetes API server for tests. No real API server can be installed on these
// machines (no container runtime, no etcd, no network to fetch one), so this serves, over real
// HTTP, what kubectl and client-node speak: the real paths (core and groups, namespaced and
// cluster-scoped, subresources), discovery, the verbs (get, list, watch as chunked JSON event
// lines, create, update, merge/strategic/JSON/apply patches, delete, deletecollection, scale),
// exec over WebSocket (`v5.channel.k8s.io`/`v4.channel.k8s.io` framing) and the SPDY/3.1 upgrade
// handshake, and `Status` objects for every error. Objects live in memory. Every request is
// recorded, so tests can tell exactly what reached the upstream; the bearer token must be the
// gateway's injected one. It can be made slow, stopped, or made to cut its watches mid-stream.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { WebSocketServer } from 'ws';
import { discoveryDocument, groupVersion, kindOf, type ResourceKind } from './kube-discovery.js';

type Obj = Record<string, any>;

export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly authorization?: string;
  readonly contentType?: string;
  readonly body: string;
  readonly headers: IncomingMessage['headers'];
}

export interface StandInApiServer {
  readonly url: string;
  readonly received: ReceivedRequest[];
  /** Objects by `<group>/<resource>/<namespace>/<name>`. */
  readonly objects: Map<string, Obj>;
  put(group: string, resource: string, object: Obj): void;
  get(group: string, resource: string, namespace: string, name: string): Obj | undefined;
  /** Delays every answer (a slow API server). */
  delayMs: number;
  /** Ends every open watch abruptly, mid-stream. */
  cutWatches(): void;
  close(): Promise<void>;
}

export async function startStandInApiServer(opts: { token: string; port?: number }): Promise<StandInApiServer> {
  const objects = new Map<string, Obj>();
  const received: ReceivedRequest[] = [];
  const watches = new Set<{ kind: ResourceKind; namespace: string; res: ServerResponse }>();
  let rv = 100;
  const key = (group: string, resource: string, ns: string, name: string) => `${group}/${resource}/${ns}/${name}`;

  const notify = (type: string, kind: ResourceKind, object: Obj) => {
    for (const w of watches) {
      if (w.kind === kind && (!w.namespace || w.namespace === object.metadata.namespace)) w.res.write(`${JSON.stringify({ type, object })}\n`);
    }
  };
  const store = (kind: ResourceKind, namespace: string, object: Obj, type: 'ADDED' | 'MODIFIED'): Obj => {
    const meta = object.metadata ?? {};
    const existing = objects.get(key(kind.group, kind.resource, namespace, meta.name));
    const saved = {
      ...object,
      apiVersion: groupVersion(kind),
      kind: kind.kind,
      metadata: {
        ...meta,
        ...(kind.namespaced ? { namespace } : {}),
        uid: existing?.metadata.uid ?? randomUUID(),
        resourceVersion: String(++rv),
        creationTimestamp: existing?.metadata.creationTimestamp ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      },
    };
    objects.set(key(kind.group, kind.resource, namespace, meta.name), saved);
    notify(type, kind, saved);
    return saved;
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ method: req.method ?? 'GET', url: req.url ?? '/', authorization: req.headers.authorization, contentType: req.headers['content-type'], body, headers: req.headers });
      // Not setTimeout(..., 0): node waits at least 1 ms, which a benchmark would read as the
      // API server's own latency.
      if (api.delayMs > 0) setTimeout(() => serve(req, res, body), api.delayMs);
      else serve(req, res, body);
    });
  });

  function serve(req: IncomingMessage, res: ServerResponse, body: string): void {
    if (res.destroyed) return;
    if (req.headers.authorization !== `Bearer ${opts.token}`) return status(res, 401, 'Unauthorized', 'Unauthorized');
    const url = new URL(req.url ?? '/', 'http://x');
    const doc = discoveryDocument(url.pathname);
    if (doc && req.method === 'GET') return json(res, 200, doc);
    const route = parseRoute(url.pathname);
    if (!route) return status(res, 404, 'NotFound', 'the server could not find the requested resource');
    const { kind, namespace, name, subresource } = route;
    const method = req.method ?? 'GET';
    const dryRun = url.searchParams.get('dryRun') === 'All';
    const k = key(kind.group, kind.resource, namespace, name);
    const current = name ? objects.get(k) : undefined;
    const notFound = () => status(res, 404, 'NotFound', `${kind.resource}${kind.group ? `.${kind.group}` : ''} "${name}" not found`, { name, group: kind.group, kind: kind.resource });

    if (subresource === 'log') {
      if (!current) return notFound();
      res.writeHead(200, { 'content-type': 'text/plain' });
      return void res.end(`log of ${name}\n`);
    }
    if (subresource === 'scale') {
      if (!current) return notFound();
      const scaleOf = (o: Obj) => ({ kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name, namespace, resourceVersion: o.metadata.resourceVersion }, spec: { replicas: o.spec?.replicas ?? 1 }, status: { replicas: o.spec?.replicas ?? 1 } });
      if (method === 'GET') return json(res, 200, scaleOf(current));
      const next = method === 'PUT' ? (JSON.parse(body) as Obj) : applyPatch(req.headers['content-type'], scaleOf(current), body);
      const saved = dryRun ? current : store(kind, namespace, { ...current, spec: { ...current.spec, replicas: next.spec?.replicas } }, 'MODIFIED');
      return json(res, 200, scaleOf(dryRun ? { ...current, spec: { ...current.spec, replicas: next.spec?.replicas } } : saved));
    }
    if (subresource) return status(res, 404, 'NotFound', `the server could not find the requested resource (${subresource})`);

    if (method === 'GET' && name) return current ? json(res, 200, current) : notFound();
    if (method === 'GET') {
      const items = [...objects.entries()].filter(([k2]) => k2.startsWith(`${kind.group}/${kind.resource}/${namespace}`)).map(([, o]) => o);
      const watch = url.searchParams.get('watch');
      if (watch === 'true' || watch === '1') {
        res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
        res.flushHeaders(); // as the API server does: a watch's headers come before its first event
        const entry = { kind, namespace, res };
        watches.add(entry);
        res.on('close', () => watches.delete(entry));
        const from = url.searchParams.get('resourceVersion');
        if (!from || from === '0') for (const o of items) res.write(`${JSON.stringify({ type: 'ADDED', object: o })}\n`);
        const timeout = Number(url.searchParams.get('timeoutSeconds') ?? 0);
        if (timeout > 0) setTimeout(() => res.end(), timeout * 1000).unref();
        return;
      }
      return json(res, 200, { kind: `${kind.kind}List`, apiVersion: groupVersion(kind), metadata: { resourceVersion: String(rv) }, items });
    }
    if (method === 'POST' && !name) {
      const object = readObject(req.headers['content-type'], body);
      const n = object.metadata?.name ?? (object.metadata?.generateName ? `${object.metadata.generateName}${randomUUID().slice(0, 5)}` : undefined);
      if (!n) return status(res, 422, 'Invalid', 'metadata.name: Required value');
      if (objects.has(key(kind.group, kind.resource, namespace, n))) return status(res, 409, 'AlreadyExists', `${kind.resource} "${n}" already exists`);
      const named = { ...object, metadata: { ...object.metadata, name: n } };
      return json(res, 201, dryRun ? named : store(kind, namespace, named, 'ADDED'));
    }
    if (method === 'PUT' && name) {
      if (!current) return notFound();
      const object = readObject(req.headers['content-type'], body);
      return json(res, 200, dryRun ? object : store(kind, namespace, { ...object, metadata: { ...object.metadata, name } }, 'MODIFIED'));
    }
    if (method === 'PATCH' && name) {
      const type = req.headers['content-type'] ?? '';
      if (!current && !type.startsWith('application/apply-patch')) return notFound();
      const next = applyPatch(type, current ?? {}, body);
      return json(res, current ? 200 : 201, dryRun ? next : store(kind, namespace, { ...next, metadata: { ...next.metadata, name } }, current ? 'MODIFIED' : 'ADDED'));
    }
    if (method === 'DELETE' && name) {
      if (!current) return notFound();
      objects.delete(k);
      notify('DELETED', kind, current);
      return json(res, 200, current);
    }
    if (method === 'DELETE') {
      const gone = [...objects.entries()].filter(([k2]) => k2.startsWith(`${kind.group}/${kind.resource}/${namespace}/`));
      for (const [k2, o] of gone) {
        objects.delete(k2);
        notify('DELETED', kind, o);
      }
      return json(res, 200, { kind: `${kind.kind}List`, apiVersion: groupVersion(kind), metadata: {}, items: gone.map(([, o]) => o) });
    }
    status(res, 405, 'MethodNotAllowed', `${method} is not supported here`);
  }

  // Exec, attach and port-forward: WebSocket channels, or the SPDY/3.1 handshake (then an echo).
  const wss = new WebSocketServer({ noServer: true, handleProtocols: (protocols) => [...protocols].find((p) => /^v[45]\.channel\.k8s\.io$/.test(p)) ?? false });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    received.push({ method: req.method ?? 'GET', url: req.url ?? '/', authorization: req.headers.authorization, body: '', headers: req.headers });
    const fail = (code: number, reason: string, message: string) => {
      const text = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
      socket.end(`HTTP/1.1 ${code} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
    };
    if (req.headers.authorization !== `Bearer ${opts.token}`) return fail(401, 'Unauthorized', 'Unauthorized');
    const url = new URL(req.url ?? '/', 'http://x');
    const route = parseRoute(url.pathname);
    if (!route || !['exec', 'attach', 'portforward'].includes(route.subresource)) return fail(400, 'BadRequest', 'not an upgradable subresource');
    if (!objects.has(key('', 'pods', route.namespace, route.name))) return fail(404, 'NotFound', `pods "${route.name}" not found`);
    const output = `ran: ${url.searchParams.getAll('command').join(' ')}\n`;
    if (String(req.headers.upgrade).toLowerCase().startsWith('spdy')) {
      socket.write('HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n');
      if (head.length) socket.write(head);
      socket.on('data', (c: Buffer) => socket.write(c));
      socket.on('end', () => socket.end());
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.send(Buffer.concat([Buffer.from([1]), Buffer.from(output)]));
      ws.on('message', (data: Buffer) => {
        if (data[0] === 0 && data.length > 1) ws.send(Buffer.concat([Buffer.from([1]), data.subarray(1)]));
      });
      const done = () => {
        ws.send(Buffer.concat([Buffer.from([3]), Buffer.from(JSON.stringify({ metadata: {}, status: 'Success' }))]));
        ws.close(1000);
      };
      if (url.searchParams.get('stdin') === 'true') ws.once('message', () => setTimeout(done, 20));
      else setTimeout(done, 20);
    });
  });

  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const api: StandInApiServer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    objects,
    delayMs: 0,
    put(group, resource, object) {
      const ns = object.metadata?.namespace ?? '';
      store(kindOf(group, resource)!, ns, object, objects.has(key(group, resource, ns, object.metadata?.name)) ? 'MODIFIED' : 'ADDED');
    },
    get: (group, resource, ns, name) => objects.get(key(group, resource, ns, name)),
    cutWatches() {
      for (const w of watches) w.res.socket?.destroy();
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return api;
}

function parseRoute(path: string): { kind: ResourceKind; namespace: string; name: string; subresource: string } | undefined {
  const m = /^\/(?:api\/v1|apis\/([^/]+)\/v1)\/(?:namespaces\/([^/]+)\/)?([^/]+)(?:\/([^/]+))?(?:\/([^/]+))?$/.exec(path);
  if (!m) return undefined;
  const group = m[1] ?? '';
  let [namespace, resource, name, subresource] = [m[2] ?? '', m[3]!, m[4] ?? '', m[5] ?? ''];
  if (!m[2] && resource === 'namespaces' && name) [namespace] = [name];
  const kind = kindOf(group, resource);
  if (!kind) return undefined;
  if (!kind.namespaced && m[2] && resource !== 'namespaces') return undefined;
  return { kind, namespace: kind.namespaced ? namespace : '', name, subresource };
}

function readObject(contentType: string | undefined, body: string): Obj {
  return (contentType ?? '').includes('yaml') ? (parseYaml(body) as Obj) : (JSON.parse(body) as Obj);
}

/** Merge, strategic (as merge: enough for these tests), JSON and apply patches. */
function applyPatch(contentType: string | undefined, current: Obj, body: string): Obj {
  const type = contentType ?? '';
  if (type.startsWith('application/json-patch+json')) {
    const doc = structuredClone(current);
    for (const op of JSON.parse(body) as { op: string; path: string; value?: unknown }[]) {
      const parts = op.path.split('/').slice(1);
      const last = parts.pop()!;
      let node: Obj = doc;
      for (const p of parts) node = node[p] ??= {};
      if (op.op === 'remove') delete node[last];
      else if (op.op === 'add' || op.op === 'replace') node[last] = op.value;
    }
    return doc;
  }
  const patch = type.startsWith('application/apply-patch') ? (parseYaml(body) as Obj) : (JSON.parse(body) as Obj);
  return merge(current, patch) as Obj;
}

function merge(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Obj = typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = merge(out[k], v);
  }
  return out;
}

function json(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function status(res: ServerResponse, code: number, reason: string, message: string, details?: Obj): void {
  json(res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code });
}
