// Diagnostic codes TIER1xxx: lexing and parsing.
import type { CatalogEntry } from './entry.js';

export const syntaxCatalog: CatalogEntry[] = [
  { code: 'TIER1001', severity: 'error', summary: 'A character that cannot start any token.' },
  { code: 'TIER1002', severity: 'error', summary: 'A specific token was expected but another was found.' },
  { code: 'TIER1003', severity: 'error', summary: 'A string literal is not closed before the end of its line.' },
  { code: 'TIER1004', severity: 'error', summary: 'A block comment is not closed before the end of the file.' },
  { code: 'TIER1005', severity: 'error', summary: 'A string literal contains an invalid escape sequence.' },
  { code: 'TIER1006', severity: 'error', summary: 'A construct (expression, member, setting, declaration) was expected but another token was found.' },
  { code: 'TIER1007', severity: 'error', summary: 'A declaration was expected at the top level of the file.' },
  { code: 'TIER1008', severity: 'error', summary: 'Brackets or expressions are nested deeper than the parser allows.' },
  { code: 'TIER1009', severity: 'error', summary: 'A user-defined block has no result expression or more than one.' },
  { code: 'TIER1010', severity: 'error', summary: 'A number literal is too large to represent.' },
  { code: 'TIER1011', severity: 'error', summary: "A '{', '(' or '[' is not closed before the line that follows its contents." },
  { code: 'TIER1012', severity: 'error', summary: "A '}', ')' or ']' has no matching opening bracket." },
];
