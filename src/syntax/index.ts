// The syntax phase: text to AST with diagnostics.
export { parse, MAX_NESTING, type ParseResult } from './parse.js';
export { MAX_TREE_DEPTH } from './build-ast.js';
export { grammarEbnf, grammarDiagramsHtml, cstTypesSource } from './grammar-docs.js';
