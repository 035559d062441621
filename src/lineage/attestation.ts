// Attestations: a principal states that a subject (a model version) passed or failed a check
// (`privacy-review`, `eval-suite`), as an in-toto Statement v1 in a DSSE envelope signed with the
// gateway's audit key, so anyone holding `airlock audit public-key` can check it offline. The
// attester is the authenticated caller, named inside the signed statement.
import { createHash, type KeyObject } from 'node:crypto';
import { signEnvelope, verifyEnvelope, type DsseEnvelope } from './dsse.js';

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const PREDICATE_TYPE = 'https://airlock.dev/attestation/check/v1';

export interface CheckPredicate {
  /** The check, e.g. `privacy-review`: the key of `context.attestations`. */
  readonly name: string;
  readonly result: 'pass' | 'fail';
  /** `Type::"id"` of who attested. */
  readonly attester: string;
  readonly time: string;
  /** SHA-256 of an evidence file, with its name, when one was given. */
  readonly evidence?: { readonly name: string; readonly sha256: string };
}

export interface Statement {
  readonly _type: typeof STATEMENT_TYPE;
  readonly subject: readonly { readonly name: string; readonly digest: Readonly<Record<string, string>> }[];
  readonly predicateType: typeof PREDICATE_TYPE;
  readonly predicate: CheckPredicate;
}

/** A subject's digest: the one given (`sha256:<hex>`), else the SHA-256 of its name. */
export function statementFor(subject: string, predicate: CheckPredicate, digest?: string): Statement {
  const sha256 = digest?.replace(/^sha256:/, '') ?? createHash('sha256').update(subject).digest('hex');
  return { _type: STATEMENT_TYPE, subject: [{ name: subject, digest: { sha256 } }], predicateType: PREDICATE_TYPE, predicate };
}

export function signStatement(statement: Statement, privateKey: KeyObject): DsseEnvelope {
  return signEnvelope(IN_TOTO_PAYLOAD_TYPE, Buffer.from(JSON.stringify(statement)), privateKey);
}

/** The statement, when the envelope is an Airlock attestation signed by `publicKey`; else why not. */
export function openAttestation(envelope: DsseEnvelope, publicKey: KeyObject): { statement: Statement } | { error: string } {
  if (envelope?.payloadType !== IN_TOTO_PAYLOAD_TYPE) return { error: `payloadType is not ${IN_TOTO_PAYLOAD_TYPE}` };
  const body = verifyEnvelope(envelope, publicKey);
  if (!body) return { error: 'no signature verifies with this public key' };
  let statement: Statement;
  try {
    statement = JSON.parse(body.toString('utf8')) as Statement;
  } catch {
    return { error: 'the payload is not JSON' };
  }
  if (statement._type !== STATEMENT_TYPE || statement.predicateType !== PREDICATE_TYPE || !statement.subject?.[0]?.name) {
    return { error: 'the payload is not an Airlock check statement' };
  }
  return { statement };
}
