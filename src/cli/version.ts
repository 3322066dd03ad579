// The package version, read from package.json at run time so it is never out of date.
import { readFileSync } from 'node:fs';

let cached: string | undefined;

export function tiercVersion(): string {
  if (cached === undefined) {
    const url = new URL('../../package.json', import.meta.url);
    cached = (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
  }
  return cached;
}
