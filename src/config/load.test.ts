import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AirlockError } from '../lib/errors.js';
import { parseConfig } from './load.js';

function problems(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(text, 'airlock.yaml', env);
  } catch (err) {
    assert.ok(err instanceof AirlockError);
    return err.details.problems as string[];
  }
  return [];
}

describe('config loading', () => {
  it('fills in defaults for an empty file', () => {
    const { config } = parseConfig('', 'airlock.yaml', {});
    assert.equal(config.listen, '127.0.0.1:8080');
    assert.equal(config.store, 'sqlite:./data/airlock.db');
    assert.equal(config.audit.mode, 'strict');
  });

  it('names the key path of a bad upstream', () => {
    const text = 'resources:\n  - {name: a, type: http, upstream: "http://x"}\n  - {name: b, type: openai, upstream: "ftp://x"}\n';
    assert.deepEqual(problems(text), ['resources[1].upstream: must be an http(s) URL']);
  });

  it('refuses an alias without its anchor as one line, found by fuzzing', () => {
    assert.deepEqual(problems('*!'), ['airlock.yaml: Unresolved alias (the anchor must be set before the alias): !']);
  });

  it('refuses unknown keys, one line each', () => {
    assert.deepEqual(problems('listen: "127.0.0.1:1"\nlsten: x\nadmin: {listn: y}\n').sort(), ['admin.listn: unknown key', 'lsten: unknown key']);
  });

  it('substitutes ${VAR} from the environment and reports a missing one', () => {
    const text = 'resources:\n  - name: a\n    type: http\n    upstream: "${UP}"\n    inject: {headers: {Authorization: "Bearer ${KEY}"}}\n';
    const { config } = parseConfig(text, 'airlock.yaml', { UP: 'http://127.0.0.1:1', KEY: 'k' });
    const inject = config.resources[0]!.inject;
    assert.equal('headers' in inject && inject.headers.Authorization, 'Bearer k');
    assert.deepEqual(problems(text, { UP: 'http://127.0.0.1:1' }), ['${KEY}: environment variable is not set']);
  });

  it('refuses duplicate resource names and a bad store URL', () => {
    const text = 'store: "mysql://x"\nresources:\n  - {name: a, type: http, upstream: "http://x"}\n  - {name: a, type: http, upstream: "http://y"}\n';
    const p = problems(text);
    assert.ok(p.includes('store: must be "sqlite:PATH" or "postgres://..."'), p.join('\n'));
    assert.ok(p.includes('resources[1].name: duplicate resource name "a"'), p.join('\n'));
  });

  it('returns a frozen object', () => {
    const { config } = parseConfig('', 'airlock.yaml', {});
    assert.throws(() => ((config as { listen: string }).listen = 'x'));
  });
});
