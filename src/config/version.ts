import { readFileSync } from 'node:fs';

let version: string | undefined;

/** Warden's own version, from its package.json (the same from sources and from `dist/`). */
export function packageVersion(): string {
  version ??= (
    JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  ).version;
  return version;
}
