// The walk-through's S3 store: s3rver on 127.0.0.1:9000 (account S3RVER/S3RVER), a `train` bucket
// with public and personal training data. `npx tsx examples/datasets/store.ts`
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from '../../test/support/s3rver-node20.js';

const server = new S3rver({ address: '127.0.0.1', port: 9000, directory: './examples/datasets/data/store', silent: true, configureBuckets: [{ name: 'train' }] });
await server.run();
const s3 = new S3Client({ endpoint: 'http://127.0.0.1:9000', region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
for (const [key, body] of [
  ['public/reviews-2024.csv', 'id,text\n1,great product\n'],
  ['public/reviews-2025.csv', 'id,text\n2,arrived late\n'],
  ['pii/customers.csv', 'id,name,email\n1,Ada,ada@example.com\n'],
]) await s3.send(new PutObjectCommand({ Bucket: 'train', Key: key, Body: body }));
process.stdout.write('s3rver on http://127.0.0.1:9000 with bucket "train"\n');
