// The version in package.json, which sits two levels above every module folder in both src/ and
// dist/ (src/<folder>/x.ts, dist/<folder>/x.js): `airlock --version` and the API description.
import { readFileSync } from 'node:fs';

let version: string | undefined;

export function packageVersion(): string {
  version ??= (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return version;
}
