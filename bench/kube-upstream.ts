// The stand-in Kubernetes API server as its own process for the benchmark (env TOKEN, PORT), so its
// CPU never shows in the gateway's or the load generator's numbers. Serves one pod, ml/p1.
import { startStandInApiServer } from '../test/support/kube-apiserver.js';

const api = await startStandInApiServer({ token: process.env.TOKEN ?? 'bench', port: Number(process.env.PORT ?? 0) });
api.put('', 'pods', { metadata: { name: 'p1', namespace: 'ml', labels: { app: 'bench' } }, spec: { containers: [{ name: 'c', image: 'registry.internal/app:1' }] } });
process.stdout.write(`${api.url}\n`);
