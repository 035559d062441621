// The training agent of the walk-through, an ordinary AWS SDK client pointed at Airlock:
// it lists and reads the public data, asks for the personal data (Airlock opens an approval), and
// retries with `Airlock-Approval` once a data steward approved.
// AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... npx tsx examples/datasets/train.ts [APPROVAL_ID]
import { GetObjectCommand, ListObjectsV2Command, S3Client, S3ServiceException } from '@aws-sdk/client-s3';

const approval = process.argv[2];
const s3 = new S3Client({ endpoint: 'http://127.0.0.1:8080/data', region: 'us-east-1', forcePathStyle: true });
if (approval) {
  // The SDK cannot be told to send a header per call; a middleware adds it.
  s3.middlewareStack.add((next) => async (args) => {
    (args.request as { headers: Record<string, string> }).headers['airlock-approval'] = approval;
    return next(args);
  }, { step: 'finalizeRequest' });
}

const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'train' }));
console.log('listed:', (listed.Contents ?? []).map((o) => o.Key).join(', '));
const reviews = await s3.send(new GetObjectCommand({ Bucket: 'train', Key: 'public/reviews-2024.csv' }));
console.log('public/reviews-2024.csv:', JSON.stringify(await reviews.Body!.transformToString()));
try {
  const people = await s3.send(new GetObjectCommand({ Bucket: 'train', Key: 'pii/customers.csv' }));
  console.log('pii/customers.csv:', JSON.stringify(await people.Body!.transformToString()));
} catch (err) {
  if (!(err instanceof S3ServiceException)) throw err;
  const { AirlockCode, ApprovalId } = err as S3ServiceException & { AirlockCode?: string; ApprovalId?: string };
  console.log(`pii/customers.csv: ${err.name} (${AirlockCode}${ApprovalId ? `, approval ${ApprovalId}` : ''})`);
}
