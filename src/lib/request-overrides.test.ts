import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { overrideInBody, overrideInRequest } from './request-overrides.js';

describe('method and path overrides', () => {
  it('refuses override headers, also spelled with underscores as CGI servers read them', () => {
    for (const name of ['x-http-method-override', 'x_http_method_override', 'x-method-override', 'x-original-url', 'x_rewrite_url', 'x-original-uri']) {
      assert.ok(overrideInRequest({ [name]: 'DELETE' }, ''), name);
    }
    assert.equal(overrideInRequest({ 'x-request-id': '1', accept: '*/*' }, '?q=method'), undefined);
  });

  it('refuses a _method query parameter however it is spelled', () => {
    for (const q of ['?_method=DELETE', '?a=1&_method=PUT', '?%5Fmethod=DELETE', '?_%6Dethod=DELETE', '?.method=DELETE', '?+_method=DELETE', '?[method=DELETE']) {
      assert.ok(overrideInRequest({}, q), q);
    }
    for (const q of ['', '?method=x', '?payment_method=card', '?x=_method', '?q=%20']) assert.equal(overrideInRequest({}, q), undefined, q);
  });

  it('refuses a _method field in a form or JSON body, and leaves other bodies alone', () => {
    const form = 'application/x-www-form-urlencoded';
    assert.ok(overrideInBody(form, Buffer.from('a=1&_method=DELETE')));
    assert.ok(overrideInBody(`${form}; charset=utf-8`, Buffer.from('%5Fmethod=DELETE')));
    assert.equal(overrideInBody(form, Buffer.from('payment_method=card&x=%20')), undefined);
    const multipart = 'multipart/form-data; boundary=b';
    const part = (name: string) => Buffer.from(`--b\r\nContent-Disposition: form-data; name=${name}\r\n\r\nDELETE\r\n--b--\r\n`);
    assert.ok(overrideInBody(multipart, part('"_method"')));
    assert.ok(overrideInBody(multipart, part('_method')));
    assert.equal(overrideInBody(multipart, part('"payment_method"')), undefined);
    assert.ok(overrideInBody('application/json', Buffer.from('{"_method":"DELETE","a":1}')));
    assert.ok(overrideInBody('application/json', Buffer.from('{"\\u005fmethod":"DELETE"}')));
    assert.equal(overrideInBody('application/json', Buffer.from('{"a":{"_method":"DELETE"}}')), undefined);
    assert.equal(overrideInBody('text/plain', Buffer.from('_method=DELETE')), undefined);
    assert.equal(overrideInBody(undefined, Buffer.from('_method=DELETE')), undefined);
  });
});
