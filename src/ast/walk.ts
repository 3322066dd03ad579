// Generic traversal of the AST: the direct children of any node, in source order. Later phases
// use it to visit every node without a switch of their own; the switch here is exhaustive, so a
// new node kind fails to compile until it is listed.
import type { Node } from './types.js';

/** Returns the direct child nodes of `node` in source order (comments excluded). */
export function childrenOf(node: Node): Node[] {
  switch (node.kind) {
    case 'SpecFile':
      return [...node.items];
    case 'Comment':
      return [];
    case 'ImportDecl':
      return [node.path];
    case 'ModelDecl':
      return [node.name, ...node.params, ...node.members];
    case 'ModelInstanceDecl':
      return [node.name, node.value];
    case 'BlockDecl':
      return [node.name, ...node.params, ...node.statements, ...optional(node.result)];
    case 'Parameter':
      return [node.name, ...optional(node.default)];
    case 'DataDecl':
    case 'EvalDecl':
      return [node.name, ...node.body];
    case 'PreprocessDecl':
    case 'TrainDecl':
      return [...optional(node.name), ...node.body];
    case 'ExportDecl':
      return [node.format, ...node.body];
    case 'UnknownBlockDecl':
      return [node.keyword, ...optional(node.name)];
    case 'AxesDecl':
      return [...node.axes];
    case 'AxisDecl':
      return [node.name, ...optional(node.size)];
    case 'EncoderDecl':
      return [node.modality, node.value];
    case 'HeadDecl':
    case 'LossDecl':
      return [node.name, node.value];
    case 'LetDecl':
    case 'ParamDecl':
      return [node.name, ...optional(node.type), node.value];
    case 'TensorType':
      return [node.dtype, ...node.dims];
    case 'Setting':
      return [node.key, node.value];
    case 'SettingValue':
      return [...node.items];
    case 'Phrase':
      return [...node.parts];
    case 'SettingsBlock':
      return [node.keyword, ...optional(node.name), ...node.body];
    case 'NumberLiteral':
    case 'StringLiteral':
    case 'Identifier':
    case 'MissingExpr':
      return [];
    case 'ListExpr':
      return [...node.elements];
    case 'MemberExpr':
      return [node.object, node.property];
    case 'IndexExpr':
      return [node.object, node.index];
    case 'CallExpr':
      return [node.callee, ...node.args];
    case 'NamedArgument':
      return [node.name, node.value];
    case 'UnaryExpr':
      return [node.operand];
    case 'BinaryExpr':
    case 'ContractExpr':
      return [node.left, node.right];
    case 'RangeExpr':
      return [node.start, node.end];
    case 'ArrowExpr':
      return [node.from, node.to];
    case 'PipeExpr':
      return [...node.stages];
  }
}

/**
 * Calls `visit` on `root` and every node below it, parents before children, in source order.
 * Returning `false` from `visit` skips that node's children. Iterative, so deep trees cannot
 * overflow the stack.
 */
export function walk(root: Node, visit: (node: Node, parent: Node | undefined) => boolean | void): void {
  const stack: Array<[Node, Node | undefined]> = [[root, undefined]];
  while (stack.length > 0) {
    const [node, parent] = stack.pop()!;
    if (visit(node, parent) === false) continue;
    const children = childrenOf(node);
    for (let i = children.length - 1; i >= 0; i--) stack.push([children[i]!, node]);
  }
}

function optional<T>(value: T | undefined): T[] {
  return value === undefined ? [] : [value];
}
