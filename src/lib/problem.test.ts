import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bearerChallenge, NO_BEARER_TOKEN, refusalChallenge } from './problem.js';

const challenge = (code: Parameters<typeof refusalChallenge>[0]['code'], detail: string) => refusalChallenge({ code, detail })['www-authenticate'];

describe('RFC 6750 challenges', () => {
  it('says invalid_token, with the reason as error_description, for a refused token', () => {
    assert.equal(challenge('unauthenticated', 'token expired'), 'Bearer error="invalid_token", error_description="token expired"');
  });

  it('is a bare Bearer when there was no token at all (RFC 6750 3.1)', () => {
    assert.equal(challenge('unauthenticated', NO_BEARER_TOKEN), 'Bearer');
    assert.equal(bearerChallenge('unauthenticated')['www-authenticate'], 'Bearer');
  });

  it('keeps the step-up challenge, and none for other refusals', () => {
    assert.match(bearerChallenge('mfa_required', 300)['www-authenticate']!, /^Bearer error="insufficient_user_authentication", .*max_age="300"$/);
    assert.equal(challenge('store_unavailable', 'x'), undefined);
    assert.equal(challenge('denied', 'x'), undefined);
  });

  it('never lets a detail break out of the quoted string', () => {
    const header = challenge('unauthenticated', 'a "quoted" \\ value\r\nInjected: 1 ü');
    assert.equal(header, 'Bearer error="invalid_token", error_description="a  quoted    value  Injected: 1  "');
  });
});
