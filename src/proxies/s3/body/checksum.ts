// The checksums S3 clients send as trailers (x-amz-checksum-<algorithm>, base64), computed over the
// decoded body as it streams. A trailer arrives after the body, too late to hand to the upstream
// as a header, so the gateway checks it itself before the upload completes.
import { createHash } from 'node:crypto';
import * as zlib from 'node:zlib';
import { S3Failure } from '../s3-error.js';

export interface RunningChecksum {
  update(data: Buffer): void;
  base64(): string;
}

export const CHECKSUM_TRAILERS = ['x-amz-checksum-crc32', 'x-amz-checksum-crc32c', 'x-amz-checksum-sha1', 'x-amz-checksum-sha256'];

// Tables built once: a checksum starts with every upload that names one.
const crc32 = typeof zlib.crc32 === 'function' ? (d: Buffer, c: number) => zlib.crc32(d, c) : crcTable(0xedb88320);
const crc32c = crcTable(0x82f63b78);

export function runningChecksum(trailer: string): RunningChecksum {
  switch (trailer) {
    case 'x-amz-checksum-crc32':
      return crc(crc32);
    case 'x-amz-checksum-crc32c':
      return crc(crc32c);
    case 'x-amz-checksum-sha1':
    case 'x-amz-checksum-sha256': {
      const h = createHash(trailer.slice('x-amz-checksum-'.length));
      return { update: (d) => void h.update(d), base64: () => h.digest('base64') };
    }
    default:
      throw new S3Failure('InvalidRequest', 400, `the trailer ${trailer} is not supported by the gateway; use one of ${CHECKSUM_TRAILERS.join(', ')} (CRC32 is the SDKs' default)`);
  }
}

function crc(step: (data: Buffer, crc: number) => number): RunningChecksum {
  let value = 0;
  return {
    update: (d) => void (value = step(d, value)),
    base64: () => {
      const out = Buffer.alloc(4);
      out.writeUInt32BE(value >>> 0);
      return out.toString('base64');
    },
  };
}

/** A reflected CRC-32 over a 256-entry table, for polynomials node has no native code for. */
function crcTable(poly: number): (data: Buffer, crc: number) => number {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? poly ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return (data, prev) => {
    let c = ~prev >>> 0;
    for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
    return ~c >>> 0;
  };
}
