// Signed identity assertions for upstreams: a short-lived JWT (EdDSA) naming the principal, its
// groups and the request, added by the gateway to each forwarded request of a resource that asks
// for it, so an upstream knows who is calling without parsing client credentials itself (it checks
// the signature against the control plane's /.well-known/jwks.json). The key is its own, not the
// audit signing key: an upstream holds only this public key, and a leak of assertions can never
// be confused with checkpoints. Signed with node:crypto directly (sync, ~30 us), not jose's
// WebCrypto path, since it runs on the request path.
import { createHash, sign, type KeyObject } from 'node:crypto';
import type { Principal } from '../model/principal.js';
import { principalUid } from '../model/principal.js';

export interface AssertionRequest {
  readonly principal: Principal;
  readonly requestId: string;
  readonly audience: string;
  readonly ttlSeconds: number;
}

export class IdentityAssertions {
  private readonly kid: string;
  private readonly header: string;

  constructor(
    private readonly key: { readonly privateKey: KeyObject; readonly publicKey: KeyObject },
    private readonly issuer: string,
    private readonly now: () => number = Date.now,
  ) {
    const jwk = key.publicKey.export({ format: 'jwk' });
    // RFC 7638 thumbprint: the members of an OKP key in lexicographic order.
    this.kid = createHash('sha256').update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x })).digest('base64url');
    this.header = b64(JSON.stringify({ alg: 'EdDSA', typ: 'JWT', kid: this.kid }));
  }

  sign(r: AssertionRequest): string {
    const iat = Math.floor(this.now() / 1000);
    const payload = b64(
      JSON.stringify({
        iss: this.issuer,
        aud: r.audience,
        sub: principalUid(r.principal),
        principal_type: r.principal.type,
        principal_id: r.principal.id,
        groups: r.principal.groups,
        mfa: r.principal.mfa,
        iat,
        exp: iat + r.ttlSeconds,
        jti: r.requestId,
      }),
    );
    const input = `${this.header}.${payload}`;
    return `${input}.${sign(null, Buffer.from(input), this.key.privateKey).toString('base64url')}`;
  }

  /** The JWKS upstreams verify assertions with. */
  jwks(): { keys: Record<string, unknown>[] } {
    return { keys: [{ ...this.key.publicKey.export({ format: 'jwk' }), kid: this.kid, alg: 'EdDSA', use: 'sig' }] };
  }
}

const b64 = (s: string) => Buffer.from(s).toString('base64url');
