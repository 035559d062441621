// Decide stage, tests only: builders for principals, requests and bundles on disk.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { tempDir } from '../lib/test-temp-dir.js';
import type { CedarRecord, EntityRef } from '../model/entity.js';
import type { Principal } from '../model/principal.js';
import { UNKNOWN_MFA_AGE } from '../model/principal.js';
import type { DecideInput } from './types.js';

/** A bundle directory holding `files` (relative path → text), removed when the test process exits. */
export async function writeBundle(files: Readonly<Record<string, string>>): Promise<string> {
  const dir = tempDir('bundle');
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, rel)), { recursive: true });
    await writeFile(join(dir, rel), text);
  }
  return dir;
}

export function principal(over: Partial<Principal> = {}): Principal {
  return { type: 'User', id: 'alice', groups: [], mfa: false, mfaAge: UNKNOWN_MFA_AGE, authMethod: 'oidc', ...over };
}

export interface InputSpec {
  readonly principal?: Partial<Principal>;
  readonly action?: string;
  readonly resource?: EntityRef;
  readonly resourceName?: string;
  readonly context?: CedarRecord;
  readonly resourceAttributes?: CedarRecord;
}

export function input(spec: InputSpec = {}): DecideInput {
  const resource = spec.resource ?? { type: 'Model', id: 'llm/gpt-4o-mini' };
  return {
    principal: principal(spec.principal),
    request: {
      action: spec.action ?? 'model.invoke',
      resource,
      resourceName: spec.resourceName ?? resource.id.split('/')[0]!,
      context: {},
    },
    context: spec.context ?? {},
    ...(spec.resourceAttributes ? { resourceAttributes: spec.resourceAttributes } : {}),
  };
}
