import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { AirlockError } from '../../lib/errors.js';
import type { OidcIssuerConfig } from './issuer-config.js';
import { createOidcVerifier } from './verify-token.js';
import { tempDir } from '../../lib/test-temp-dir.js';

const issuer = { issuer: 'https://login.test', audience: 'airlock' };

async function configError(configs: OidcIssuerConfig[], baseDir?: string): Promise<string> {
  const err = await createOidcVerifier(configs, baseDir ? { baseDir } : {}).then(
    () => assert.fail('expected a config error'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof AirlockError);
  assert.equal(err.code, 'config_invalid');
  return err.message;
}

describe('OIDC issuer configuration', () => {
  it('stops at start when the jwks_file is missing, naming the key path', async () => {
    const dir = tempDir('cfg');
    assert.match(await configError([{ ...issuer, jwks_file: 'nope.json' }], dir), /^identity\.oidc\[0\]\.jwks_file: file not found/);
  });

  it('stops at start when the jwks_file is not a key set', async () => {
    const dir = tempDir('cfg');
    await writeFile(join(dir, 'bad.json'), '{"keys": 3}');
    assert.match(await configError([{ ...issuer, jwks_file: 'bad.json' }], dir), /not a JSON Web Key Set/);
  });

  it('takes at most one of jwks_file and jwks_uri, an http(s) jwks_uri, and an http(s) issuer to discover keys from', async () => {
    assert.match(await configError([{ ...issuer, jwks_file: 'a', jwks_uri: 'https://x.test/j' }]), /at most one/);
    assert.match(await configError([{ ...issuer, jwks_uri: 'file:///etc/passwd' }]), /jwks_uri/);
    assert.match(await configError([{ ...issuer, issuer: 'login.test' }]), /^identity\.oidc\[0\]\.issuer: must be an http\(s\) URL to find its keys by OpenID discovery/);
  });

  it('needs distinct namespaces when several issuers are configured', async () => {
    const a = { ...issuer, jwks_uri: 'https://a.test/jwks' };
    const b = { ...issuer, issuer: 'https://b.test', jwks_uri: 'https://b.test/jwks' };
    assert.match(await configError([a, b]), /^identity\.oidc\[0\]\.namespace: required when several issuers are configured$/);
    assert.match(await configError([{ ...a, namespace: 'x' }, b]), /^identity\.oidc\[1\]\.namespace: required/);
    assert.match(await configError([{ ...a, namespace: 'x' }, { ...b, namespace: 'x' }]), /^identity\.oidc\[1\]\.namespace: used by another issuer$/);
    assert.match(await configError([{ ...a, namespace: 'x:y' }]), /^identity\.oidc\[0\]\.namespace: use letters/);
  });

  it('refuses the same issuer twice', async () => {
    const twice = { ...issuer, jwks_uri: 'https://x.test/jwks' };
    assert.match(await configError([twice, twice]), /^identity\.oidc\[1\]\.issuer: listed twice/);
  });
});
