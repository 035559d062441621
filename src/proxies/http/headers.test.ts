import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { upstreamRequestHeaders } from './headers.js';

describe('upstream request headers', () => {
  it('drops identity headers also when spelled with underscores, as CGI-style servers read them', () => {
    const out = upstreamRequestHeaders(
      { x_forwarded_for: '192.0.2.1', airlock_identity: 'forged', x_real_ip: '192.0.2.1', x_airlock_groups: 'admins', 'x-forwarded-for': '192.0.2.1', accept: '*/*' },
      [],
      '127.0.0.1',
      0,
    );
    assert.deepEqual(out, { accept: '*/*', 'x-forwarded-for': '127.0.0.1' });
  });

  it('drops a client header that would read as one the gateway sets: an injected credential or the assertion', () => {
    const out = upstreamRequestHeaders({ x_api_key: 'mine', x_user_assertion: 'forged', 'x-api-key': 'mine', my_header: 'kept' }, [['x-api-key', 'injected']], '127.0.0.1', 0, 'x-user-assertion');
    assert.deepEqual(out, { my_header: 'kept', 'x-forwarded-for': '127.0.0.1', 'x-api-key': 'injected' });
  });
});
