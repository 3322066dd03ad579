// Runs every .tier file in this folder through the front end and compares the errors with the
// `// expect: CODE [message part]` comments on the offending lines (of the file itself and of
// the files it imports). Each expected code must be reported on its line, with a message that
// contains the text after the code, and no other error may be reported.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSpec } from '../../src/driver/index.js';
import { nodeHost } from '../../src/driver/index.js';

const folder = import.meta.dirname;
const expectPattern = /\/\/ expect: (TIER\d{4})(?: (.*))?$/;

interface Expectation {
  key: string;
  message: string | undefined;
}

function expectationsOf(file: string, text: string): Expectation[] {
  const found: Expectation[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    const match = expectPattern.exec(line);
    if (match !== null) found.push({ key: `${file}:${index + 1} ${match[1]}`, message: match[2]?.trim() || undefined });
  });
  return found;
}

describe('error cases', () => {
  const cases = readdirSync(folder).filter((name) => name.endsWith('.tier')).sort();

  it('the folder has error cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(8);
  });

  for (const name of cases) {
    it(`${name} reports the expected errors`, () => {
      const result = checkSpec(name, nodeHost(folder));
      const expectations = [...result.sources].flatMap(([file, text]) => expectationsOf(file, text));
      expect(expectations.length, 'an error case needs at least one expect comment').toBeGreaterThan(0);

      const errors = result.diagnostics.filter((diagnostic) => diagnostic.severity === 'error');
      const actual = [...new Set(errors.map((diagnostic) => `${diagnostic.span?.file}:${diagnostic.span?.start.line} ${diagnostic.code}`))].sort();
      const wanted = [...new Set(expectations.map((expectation) => expectation.key))].sort();
      expect(actual).toEqual(wanted);

      for (const expectation of expectations) {
        if (expectation.message === undefined) continue;
        const messages = errors
          .filter((diagnostic) => `${diagnostic.span?.file}:${diagnostic.span?.start.line} ${diagnostic.code}` === expectation.key)
          .map((diagnostic) => diagnostic.message);
        expect(messages.some((message) => message.includes(expectation.message!)), `${expectation.key}: ${messages.join(' | ')}`).toBe(true);
      }
    });
  }
});
