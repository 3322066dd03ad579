// The AST of .tier files: node types, traversal and settings helpers.
export type * from './types.js';
export { childrenOf, walk } from './walk.js';
export { settingKey, settingsOf, nestedBlocksOf, findSetting, singleExpression } from './settings.js';
export { isImportable, visibleDeclarations, type Program, type SourceFile } from './program.js';
export { applyArithmetic, constantNumber } from './arithmetic.js';
