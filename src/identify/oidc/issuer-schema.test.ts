import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../../config/load.js';
import { AirlockError } from '../../lib/errors.js';

function problems(oidc: string): string[] {
  try {
    parseConfig(`identity:\n  oidc:\n${oidc}`, 'airlock.yaml', {});
  } catch (err) {
    assert.ok(err instanceof AirlockError);
    return err.details.problems as string[];
  }
  return [];
}

const corp = '    - {issuer: "https://corp.test", audience: a, jwks_uri: "https://corp.test/jwks"';
const partner = '    - {issuer: "https://partner.test", audience: a, jwks_uri: "https://partner.test/jwks"';

describe('identity.oidc configuration', () => {
  it('writes out the defaults: token types, client tokens as agents, a 60 s key refresh, no namespace', () => {
    const { config } = parseConfig(`identity:\n  oidc:\n${corp}}\n`, 'airlock.yaml', {});
    const [issuer] = config.identity.oidc;
    assert.deepEqual(issuer, {
      issuer: 'https://corp.test', audience: 'a', jwks_uri: 'https://corp.test/jwks', groups_claim: 'groups',
      token_types: ['at+jwt', 'JWT'], client_tokens: { as_agent: true, name_claim: 'sub' }, jwks_refresh_seconds: 60,
    });
  });

  it('needs a namespace on every issuer when several are configured, one line naming the key', () => {
    assert.deepEqual(problems(`${corp}}\n${partner}}\n`), [
      'identity.oidc[0].namespace: required when several issuers are configured',
      'identity.oidc[1].namespace: required when several issuers are configured',
    ]);
    assert.deepEqual(problems(`${corp}, namespace: corp}\n${partner}, namespace: corp}\n`), ['identity.oidc[1].namespace: used by another issuer']);
    assert.deepEqual(problems(`${corp}, namespace: "a:b"}\n`), ['identity.oidc[0].namespace: use letters, digits, ".", "_" or "-" (at most 64)']);
    assert.deepEqual(problems(`${corp}, namespace: corp}\n${partner}, namespace: partner}\n`), []);
  });

  it('finds keys by discovery when neither jwks_file nor jwks_uri is set, which needs an http(s) issuer', () => {
    assert.deepEqual(problems('    - {issuer: "https://login.test", audience: a}\n'), []);
    assert.deepEqual(problems('    - {issuer: "login.test", audience: a}\n'), [
      'identity.oidc[0].issuer: must be an http(s) URL to find its keys by OpenID discovery (or set jwks_uri or jwks_file)',
    ]);
    assert.deepEqual(problems(`${corp}, jwks_file: x.json}\n`), ['identity.oidc[0]: set at most one of jwks_file and jwks_uri']);
  });

  it('refuses an empty token_types list and unknown client_tokens keys', () => {
    assert.deepEqual(problems(`${corp}, token_types: []}\n`), ['identity.oidc[0].token_types: Too small: expected array to have >=1 items']);
    assert.deepEqual(problems(`${corp}, client_tokens: {agent: true}}\n`), ['identity.oidc[0].client_tokens.agent: unknown key']);
  });
});
