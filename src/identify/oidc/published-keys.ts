// Identify stage, OIDC: one issuer's key set as fetched, with a life per key that ends when the
// issuer stops publishing it.
//
// A verified token is cached with the life of the key that signed it, and a cache hit checks
// `life.live` (one property read). When a newer set no longer holds a key (same `kid` with other
// key material counts as gone), its life ends and every token it signed is verified afresh, which
// fails. Tokens without a `kid` share one life, which ends when any key goes: they may have been
// signed by it, and a needless re-verification costs a signature check, not a refusal.

import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';

export interface KeyLife {
  live: boolean;
}

/** For keys that cannot go away while the process runs (a jwks_file). */
export const FOREVER: KeyLife = Object.freeze({ live: true }) as KeyLife;

export class PublishedKeys {
  readonly getKey: JWTVerifyGetKey;
  /** By kid: the key material (to notice a kid reused for another key) and its life. */
  private readonly byKid = new Map<string, { readonly material: string; readonly life: KeyLife }>();
  private readonly materials: ReadonlySet<string>;
  private readonly kidless: KeyLife;

  /** Throws when `jwks` is not a JSON Web Key Set. `previous` hands on the lives of keys still published. */
  constructor(jwks: JSONWebKeySet, previous?: PublishedKeys) {
    this.getKey = createLocalJWKSet(jwks);
    const materials = new Map<string, string[]>();
    for (const jwk of jwks.keys) {
      if (typeof jwk.kid === 'string') materials.set(jwk.kid, [...(materials.get(jwk.kid) ?? []), materialOf(jwk)]);
    }
    for (const [kid, list] of materials) {
      const material = list.sort().join('|');
      const before = previous?.byKid.get(kid);
      this.byKid.set(kid, { material, life: before?.material === material ? before.life : { live: true } });
    }
    this.materials = new Set(jwks.keys.map(materialOf));
    const lost = previous !== undefined && [...previous.materials].some((m) => !this.materials.has(m));
    this.kidless = previous && !lost ? previous.kidless : { live: true };
    if (previous) previous.endLivesNotIn(this, lost);
  }

  /** The life of the key a token names by its `kid` header; undefined when no such key is published. */
  lifeOf(kid: unknown): KeyLife | undefined {
    if (kid === undefined) return this.kidless;
    return typeof kid === 'string' ? this.byKid.get(kid)?.life : undefined;
  }

  private endLivesNotIn(next: PublishedKeys, lost: boolean): void {
    for (const [kid, { life }] of this.byKid) if (next.byKid.get(kid)?.life !== life) life.live = false;
    if (lost) this.kidless.live = false;
  }
}

/** The public key material of a JWK, ignoring metadata (`use`, `alg`, `x5c`...). */
function materialOf(jwk: JSONWebKeySet['keys'][number]): string {
  return JSON.stringify([jwk.kty, jwk.crv, jwk.x, jwk.y, jwk.n, jwk.e]);
}
