// DSSE envelopes (Dead Simple Signing Envelope, v1) signed with Ed25519: the signature covers the
// pre-authentication encoding PAE(type, payload) = "DSSEv1" SP len(type) SP type SP len(body) SP
// body, so a payload can never be re-read as another type. `keyid` is the SHA-256 of the public
// key's SPKI bytes (hex), which `airlock audit public-key` prints as PEM.
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

export interface DsseEnvelope {
  readonly payloadType: string;
  /** Base64 of the payload bytes. */
  readonly payload: string;
  readonly signatures: readonly { readonly keyid: string; readonly sig: string }[];
}

export function pae(payloadType: string, body: Buffer): Buffer {
  const type = Buffer.from(payloadType);
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${body.length} `), body]);
}

export function keyId(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256').update(pub.export({ type: 'spki', format: 'der' })).digest('hex');
}

export function signEnvelope(payloadType: string, body: Buffer, privateKey: KeyObject): DsseEnvelope {
  return { payloadType, payload: body.toString('base64'), signatures: [{ keyid: keyId(privateKey), sig: sign(null, pae(payloadType, body), privateKey).toString('base64') }] };
}

/** The payload, when some signature on the envelope verifies with `publicKey`; undefined otherwise. */
export function verifyEnvelope(envelope: DsseEnvelope, publicKey: KeyObject): Buffer | undefined {
  if (typeof envelope?.payloadType !== 'string' || typeof envelope.payload !== 'string' || !Array.isArray(envelope.signatures)) return undefined;
  const body = Buffer.from(envelope.payload, 'base64');
  const message = pae(envelope.payloadType, body);
  for (const s of envelope.signatures) {
    if (typeof s?.sig !== 'string') continue;
    try {
      if (verify(null, message, publicKey, Buffer.from(s.sig, 'base64'))) return body;
    } catch {
      // a malformed signature is simply not a valid one
    }
  }
  return undefined;
}
