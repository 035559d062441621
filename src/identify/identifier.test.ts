import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { AirlockError } from '../lib/errors.js';
import { NO_BEARER_TOKEN } from '../lib/problem.js';
import { FakeKeyStore, keyRecord } from './api-keys/fake-key-store.js';
import { generateApiKey } from './api-keys/key-format.js';
import { createIdentifier, type Identifier } from './identifier.js';
import { AUDIENCE, ISSUER, jwksOf, makeKey, sign, testClock, type TestKey } from './oidc/test-issuer.js';
import { tempDir } from '../lib/test-temp-dir.js';

let dir: string;
let key: TestKey;

before(async () => {
  dir = tempDir('identify');
  key = await makeKey('EdDSA');
  await writeFile(join(dir, 'jwks.json'), JSON.stringify(jwksOf(key)));
});

async function setup(withKeys = true) {
  const clock = testClock();
  const store = new FakeKeyStore();
  const id = await createIdentifier({
    oidc: [{ issuer: ISSUER, audience: AUDIENCE, jwks_file: 'jwks.json', groups_claim: 'groups' }],
    ...(withKeys ? { keys: store } : {}),
    now: clock.now,
    baseDir: dir,
  });
  return { clock, store, id };
}

async function refusal(id: Identifier, header: string | undefined): Promise<AirlockError> {
  const err = await id.identify(header).then(
    () => assert.fail('expected a refusal'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof AirlockError);
  assert.equal(err.code, 'unauthenticated');
  return err;
}

describe('identify', () => {
  it('identifies a user by a Bearer JWT, whatever the case of the scheme', async () => {
    const { clock, id } = await setup();
    const token = await sign(key, clock.now(), { claims: { groups: ['ml-eng'] } });
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      const p = await id.identify(`${scheme} ${token}`);
      assert.equal(`${p.type}/${p.id}/${p.groups.join()}/${p.authMethod}`, 'User/alice/ml-eng/oidc');
    }
    await id.close();
  });

  it('identifies an agent by a Bearer API key', async () => {
    const { store, id } = await setup();
    const { key: apiKey, hash } = generateApiKey();
    await store.insertKey(keyRecord('deployer', hash));
    await id.refreshKeys();
    const p = await id.identify(`Bearer ${apiKey}`);
    assert.equal(`${p.type}/${p.id}/${p.authMethod}`, 'Agent/deployer/api_key');
    await id.close();
  });

  it('refuses a missing header, another scheme and a malformed header', async () => {
    const { clock, id } = await setup();
    const token = await sign(key, clock.now());
    for (const h of [undefined, '', `Basic ${token}`, token]) assert.equal((await refusal(id, h)).message, NO_BEARER_TOKEN);
    for (const h of ['Bearer', 'Bearer ', `Bearer ${token} extra`, `Bearer "${token}"`]) {
      assert.notEqual((await refusal(id, h)).message, NO_BEARER_TOKEN);
    }
    await id.close();
  });

  it('answers API keys 503 store_unavailable once the key store has been unreadable for over 5 s', async () => {
    const { clock, store, id } = await setup();
    const { key: apiKey, hash } = generateApiKey();
    await store.insertKey(keyRecord('deployer', hash));
    await id.refreshKeys();
    store.failing = true;
    clock.advance(5_001);
    for (const k of [apiKey, generateApiKey().key]) {
      const err = await id.identify(`Bearer ${k}`).then(() => assert.fail('expected a refusal'), (e: unknown) => e);
      assert.ok(err instanceof AirlockError);
      assert.equal(err.code, 'store_unavailable');
    }
    store.failing = false;
    await id.refreshKeys();
    assert.equal((await id.identify(`Bearer ${apiKey}`)).id, 'deployer');
    await id.close();
  });

  it('refuses API keys when no key store is configured', async () => {
    const { id } = await setup(false);
    assert.match((await refusal(id, `Bearer ${generateApiKey().key}`)).message, /not enabled/);
    await id.close();
  });

  it('never puts any part of the credential into the error', async () => {
    const { clock, id } = await setup();
    const expired = await sign(key, clock.now(), { iat: Math.floor(clock.now() / 1000) - 7200 });
    const forged = await sign(await makeKey('EdDSA'), clock.now(), { claims: { sub: 'secret-subject' } });
    const creds = [expired, forged, generateApiKey().key, `${expired.slice(0, 30)}.x.y`, 'alk_short'];
    for (const cred of creds) {
      const err = await refusal(id, `Bearer ${cred}`);
      const shown = `${err.message} ${JSON.stringify(err.details)} ${String(err.cause)} ${err.stack}`;
      for (const part of [...cred.split('.'), 'secret-subject'].filter((s) => s.length >= 8)) {
        assert.ok(!shown.includes(part.slice(0, 8)), `error shows part of the credential: ${err.message}`);
      }
    }
    await id.close();
  });
});
