// s3rver, made to run on node 20. It seals its listing tokens with single DES, which OpenSSL 3
// (node >= 17) no longer offers without the legacy provider. Triple DES with the key repeated three
// times is the same cipher, so s3rver's calls get that instead (in the process that runs s3rver
// only: tests and the bench's store; the gateway never sees this).
import { createRequire } from 'node:module';

const nodeCrypto = createRequire(import.meta.url)('node:crypto') as Record<string, unknown>;
for (const name of ['createCipheriv', 'createDecipheriv']) {
  const original = nodeCrypto[name] as (...args: unknown[]) => unknown;
  nodeCrypto[name] = (alg: string, key: Buffer, iv: Buffer, ...rest: unknown[]) =>
    alg === 'des' ? original('des-ede3-cbc', Buffer.concat([key, key, key]), iv) : original(alg, key, iv, ...rest);
}

export { default } from 's3rver';
