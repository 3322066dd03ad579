// CST to AST for declarations, model members and settings: one `build*` function per grammar
// rule. Expressions are in build-expr.ts. Missing pieces (from error recovery) become empty
// names or `MissingExpr`; only trees with syntax errors contain them.
import type { CstNode, IToken } from 'chevrotain';
import type {
  AxisDecl,
  BlockStatement,
  Expr,
  Identifier,
  ModelMember,
  NamedArgument,
  Parameter,
  Phrase,
  SettingsItem,
  SettingValue,
  SpecFile,
  TensorType,
  TopLevelItem,
} from '../ast/types.js';
import { walk } from '../ast/walk.js';
import { makeDiagnostic } from '../diagnostics/make.js';
import type { Span } from '../diagnostics/types.js';
import { after, cover, firstToken, identifier, optionalIdentifier, tokenSpan, type BuildContext } from './build-context.js';
import { buildExpression, buildNamedArgument, buildString } from './build-expr.js';
import type * as cst from './cst.js';

/**
 * Expression nesting allowed in the AST. Operator chains are parsed without recursion, but
 * later phases walk expressions recursively; 500 levels keeps them far from Node's stack limit.
 */
export const MAX_TREE_DEPTH = 500;

/** Builds the AST of one file from the CST of each of its top-level chunks. */
export function buildSpecFile(trees: CstNode[], context: BuildContext): SpecFile {
  const items: TopLevelItem[] = [];
  for (const tree of trees as cst.SpecFileCstNode[]) {
    for (const item of tree.children.topLevelItem ?? []) {
      const built = buildTopLevelItem(context, item);
      if (built === undefined) continue;
      if (!checkDepth(context, built)) continue;
      items.push(built);
    }
  }
  const span = context.lines.span(context.file, 0, context.textLength);
  return { kind: 'SpecFile', file: context.file, items, comments: context.comments, span };
}

/** Reports a declaration nested beyond MAX_TREE_DEPTH; returns whether it is within bounds. */
function checkDepth(context: BuildContext, item: TopLevelItem): boolean {
  const depths = new Map<object, number>();
  let deepest: { depth: number; span: Span } | undefined;
  walk(item, (node, parent) => {
    const depth = (parent === undefined ? 0 : depths.get(parent)!) + 1;
    depths.set(node, depth);
    if (depth > MAX_TREE_DEPTH && deepest === undefined) deepest = { depth, span: node.span };
    return deepest === undefined;
  });
  if (deepest === undefined) return true;
  context.diagnostics.push(
    makeDiagnostic(
      'TIER1008',
      `Expression nests more than ${MAX_TREE_DEPTH} levels deep; split it into several 'let' definitions.`,
      deepest.span,
    ),
  );
  return false;
}

function buildTopLevelItem(context: BuildContext, node: cst.TopLevelItemCstNode): TopLevelItem | undefined {
  const { children } = node;
  if (children.importDecl) return buildImport(context, children.importDecl[0]!);
  if (children.modelDecl) return buildModel(context, children.modelDecl[0]!);
  if (children.blockDecl) return buildBlock(context, children.blockDecl[0]!);
  if (children.dataDecl) {
    const decl = children.dataDecl[0]!;
    const { keywordSpan, name, body, span } = settingsDeclaration(context, decl.children.Data, decl.children.name, decl.children.settingsBody);
    return { kind: 'DataDecl', name: name ?? emptyName(context, keywordSpan), body, span };
  }
  if (children.preprocessDecl) {
    const decl = children.preprocessDecl[0]!;
    const { name, body, span } = settingsDeclaration(context, decl.children.Preprocess, decl.children.name, decl.children.settingsBody);
    return { kind: 'PreprocessDecl', name, body, span };
  }
  if (children.trainDecl) {
    const decl = children.trainDecl[0]!;
    const { name, body, span } = settingsDeclaration(context, decl.children.Train, decl.children.name, decl.children.settingsBody);
    return { kind: 'TrainDecl', name, body, span };
  }
  if (children.evalDecl) {
    const decl = children.evalDecl[0]!;
    const { keywordSpan, name, body, span } = settingsDeclaration(context, decl.children.Eval, decl.children.name, decl.children.settingsBody);
    return { kind: 'EvalDecl', name: name ?? emptyName(context, keywordSpan), body, span };
  }
  if (children.exportDecl) {
    const decl = children.exportDecl[0]!;
    const { keywordSpan, name, body, span } = settingsDeclaration(context, decl.children.Export, decl.children.format, decl.children.settingsBody);
    return { kind: 'ExportDecl', format: name ?? emptyName(context, keywordSpan), body, span };
  }
  if (children.unknownBlockDecl) {
    const decl = children.unknownBlockDecl[0]!;
    const keywordToken = firstToken(decl.children.keyword);
    if (keywordToken === undefined) return undefined;
    const keyword = identifier(context, decl.children.keyword, tokenSpan(context, keywordToken));
    const name = optionalIdentifier(context, decl.children.name);
    return { kind: 'UnknownBlockDecl', keyword, name, span: cover(context, keyword.span, name?.span, skippedEnd(context, decl.children.skippedBody?.[0])) };
  }
  return undefined;
}

function emptyName(context: BuildContext, keywordSpan: Span): Identifier {
  return { kind: 'Identifier', name: '', span: after(context, keywordSpan) };
}

function skippedEnd(context: BuildContext, body: cst.SkippedBodyCstNode | undefined): Span | undefined {
  const close = firstToken(body?.children.RCurly);
  return close === undefined ? undefined : tokenSpan(context, close);
}

function buildImport(context: BuildContext, node: cst.ImportDeclCstNode): TopLevelItem | undefined {
  const keyword = firstToken(node.children.Import);
  const pathToken = firstToken(node.children.path);
  if (keyword === undefined) return undefined;
  const keywordSpan = tokenSpan(context, keyword);
  const path = pathToken === undefined ? { kind: 'StringLiteral' as const, value: '', raw: '', span: after(context, keywordSpan) } : buildString(context, pathToken);
  return { kind: 'ImportDecl', path, span: cover(context, keywordSpan, path.span) };
}

function buildModel(context: BuildContext, node: cst.ModelDeclCstNode): TopLevelItem | undefined {
  const keyword = firstToken(node.children.Model);
  if (keyword === undefined) return undefined;
  const keywordSpan = tokenSpan(context, keyword);
  const name = identifier(context, node.children.name, after(context, keywordSpan));
  if (node.children.Equals !== undefined) {
    const value = buildExpression(context, node.children.value?.[0], after(context, name.span));
    return { kind: 'ModelInstanceDecl', name, value, span: cover(context, keywordSpan, value.span) };
  }
  const params = buildParameters(context, node.children.parameterList?.[0], name.span);
  const members = (node.children.modelMember ?? []).flatMap((member) => buildModelMember(context, member) ?? []);
  const close = firstToken(node.children.RCurly);
  const end = close === undefined ? members[members.length - 1]?.span : tokenSpan(context, close);
  return { kind: 'ModelDecl', name, params, members, span: cover(context, keywordSpan, name.span, end) };
}

function buildParameters(context: BuildContext, node: cst.ParameterListCstNode | undefined, fallback: Span): Parameter[] {
  return (node?.children.parameter ?? []).map((parameter) => {
    const name = identifier(context, parameter.children.name, fallback);
    const value = parameter.children.default?.[0];
    const defaultValue = value === undefined ? undefined : buildExpression(context, value, after(context, name.span));
    return { kind: 'Parameter', name, default: defaultValue, span: cover(context, name.span, defaultValue?.span) };
  });
}

function buildBlock(context: BuildContext, node: cst.BlockDeclCstNode): TopLevelItem | undefined {
  const keyword = firstToken(node.children.Block);
  if (keyword === undefined) return undefined;
  const keywordSpan = tokenSpan(context, keyword);
  const name = identifier(context, node.children.name, after(context, keywordSpan));
  const params = buildParameters(context, node.children.parameterList?.[0], name.span);
  const statements: BlockStatement[] = [];
  const results: Expr[] = [];
  for (const item of node.children.blockItem ?? []) {
    const { children } = item;
    if (children.letDecl) statements.push(buildBinding(context, 'LetDecl', children.letDecl[0]!));
    else if (children.paramDecl) statements.push(buildBinding(context, 'ParamDecl', children.paramDecl[0]!));
    else if (children.headDecl) statements.push(buildNamedValue(context, 'HeadDecl', children.headDecl[0]!));
    else if (children.expression) results.push(buildExpression(context, children.expression[0], name.span));
  }
  const close = firstToken(node.children.RCurly);
  const span = cover(context, keywordSpan, name.span, close === undefined ? undefined : tokenSpan(context, close));
  if (results.length === 0 && close !== undefined) {
    context.diagnostics.push(makeDiagnostic('TIER1009', `Block '${name.name}' has no result; end it with the expression of the layer it builds.`, name.span));
  }
  for (const extra of results.slice(1)) {
    context.diagnostics.push(
      makeDiagnostic('TIER1009', `Block '${name.name}' has more than one result expression; name the earlier ones with 'let'.`, extra.span),
    );
  }
  return { kind: 'BlockDecl', name, params, statements, result: results[results.length - 1], span };
}

function buildModelMember(context: BuildContext, node: cst.ModelMemberCstNode): ModelMember | undefined {
  const { children } = node;
  if (children.axesDecl) {
    const axes = children.axesDecl[0]!;
    const keyword = firstToken(axes.children.Axes);
    if (keyword === undefined) return undefined;
    const keywordSpan = tokenSpan(context, keyword);
    const list = (axes.children.axisDecl ?? []).map((axis) => buildAxis(context, axis, keywordSpan));
    const close = firstToken(axes.children.RCurly);
    return { kind: 'AxesDecl', axes: list, span: cover(context, keywordSpan, list[list.length - 1]?.span, close === undefined ? undefined : tokenSpan(context, close)) };
  }
  if (children.encoderDecl) {
    const encoder = children.encoderDecl[0]!;
    const first = firstToken(encoder.children.modality);
    if (first === undefined) return undefined;
    const modality = identifier(context, encoder.children.modality, tokenSpan(context, first));
    const value = buildExpression(context, encoder.children.value?.[0], after(context, modality.span));
    return { kind: 'EncoderDecl', modality, value, span: cover(context, modality.span, value.span) };
  }
  if (children.headDecl) return buildNamedValue(context, 'HeadDecl', children.headDecl[0]!);
  if (children.letDecl) return buildBinding(context, 'LetDecl', children.letDecl[0]!);
  if (children.paramDecl) return buildBinding(context, 'ParamDecl', children.paramDecl[0]!);
  if (children.lossDecl) return buildNamedValue(context, 'LossDecl', children.lossDecl[0]!);
  return undefined;
}

function buildAxis(context: BuildContext, node: cst.AxisDeclCstNode, fallback: Span): AxisDecl {
  const name = identifier(context, node.children.name, fallback);
  const constraint = node.children.LessEqual !== undefined ? 'max' : node.children.Equals !== undefined ? 'exact' : 'free';
  const size = constraint === 'free' ? undefined : buildExpression(context, node.children.size?.[0], after(context, name.span));
  return { kind: 'AxisDecl', name, constraint, size, span: cover(context, name.span, size?.span) };
}

type NamedValueNode = cst.HeadDeclCstNode | cst.LossDeclCstNode;

function buildNamedValue<K extends 'HeadDecl' | 'LossDecl'>(context: BuildContext, kind: K, node: NamedValueNode) {
  const keyword = firstToken('Head' in node.children ? node.children.Head : node.children.Loss);
  const start = keyword === undefined ? context.lines.span(context.file, 0, 0) : tokenSpan(context, keyword);
  const name = identifier(context, node.children.name, after(context, start));
  const value = buildExpression(context, node.children.value?.[0], after(context, name.span));
  return { kind, name, value, span: cover(context, keyword === undefined ? name.span : start, value.span) };
}

function buildBinding<K extends 'LetDecl' | 'ParamDecl'>(context: BuildContext, kind: K, node: cst.LetDeclCstNode | cst.ParamDeclCstNode) {
  const keyword = firstToken('Let' in node.children ? node.children.Let : node.children.Param);
  const start = keyword === undefined ? context.lines.span(context.file, 0, 0) : tokenSpan(context, keyword);
  const name = identifier(context, node.children.name, after(context, start));
  const annotation = node.children.typeAnnotation?.[0];
  const type = annotation === undefined ? undefined : buildTensorType(context, annotation, name.span);
  const value = buildExpression(context, node.children.value?.[0], after(context, type?.span ?? name.span));
  return { kind, name, type, value, span: cover(context, keyword === undefined ? name.span : start, value.span) };
}

function buildTensorType(context: BuildContext, node: cst.TypeAnnotationCstNode, fallback: Span): TensorType {
  const dtype = identifier(context, node.children.dtype, after(context, fallback));
  const dims = (node.children.dims ?? []).map((dim) => buildExpression(context, dim, after(context, dtype.span)));
  const close = firstToken(node.children.RBracket);
  return { kind: 'TensorType', dtype, dims, span: cover(context, dtype.span, dims[dims.length - 1]?.span, close === undefined ? undefined : tokenSpan(context, close)) };
}

// ---------------------------------------------------------------------------------------------
// Settings

function settingsDeclaration(
  context: BuildContext,
  keywordTokens: cst.DataDeclCstChildren['Data'] | undefined,
  nameTokens: cst.DataDeclCstChildren['name'] | undefined,
  bodyNodes: cst.SettingsBodyCstNode[] | undefined,
): { keywordSpan: Span; name: Identifier | undefined; body: SettingsItem[]; span: Span } {
  const keyword = firstToken(keywordTokens);
  const keywordSpan = keyword === undefined ? context.lines.span(context.file, 0, 0) : tokenSpan(context, keyword);
  const name = optionalIdentifier(context, nameTokens);
  const { items, end } = buildSettingsBody(context, bodyNodes?.[0]);
  return { keywordSpan, name, body: items, span: cover(context, keywordSpan, name?.span, end) };
}

function buildSettingsBody(context: BuildContext, node: cst.SettingsBodyCstNode | undefined): { items: SettingsItem[]; end: Span | undefined } {
  if (node === undefined) return { items: [], end: undefined };
  const items: SettingsItem[] = [];
  for (const item of node.children.settingsItem ?? []) {
    const setting = item.children.setting?.[0];
    if (setting !== undefined) {
      const keyToken = firstToken(setting.children.key);
      if (keyToken === undefined) continue;
      const key = keyToken.image.startsWith('"') ? buildString(context, keyToken) : ({ kind: 'Identifier', name: keyToken.image, span: tokenSpan(context, keyToken) } as const);
      const value = buildSettingValue(context, setting.children.settingValue?.[0], after(context, key.span), key.kind === 'StringLiteral' ? key.value : key.name);
      items.push({ kind: 'Setting', key, value, span: cover(context, key.span, value.span) });
      continue;
    }
    const block = item.children.settingsBlock?.[0];
    if (block !== undefined) {
      const keywordToken = firstToken(block.children.keyword);
      if (keywordToken === undefined) continue;
      const keyword = identifier(context, block.children.keyword, tokenSpan(context, keywordToken));
      const name = optionalIdentifier(context, block.children.name);
      const inner = buildSettingsBody(context, block.children.settingsBody?.[0]);
      items.push({ kind: 'SettingsBlock', keyword, name, body: inner.items, span: cover(context, keyword.span, name?.span, inner.end) });
    }
  }
  const close = firstToken(node.children.RCurly);
  const last = items[items.length - 1]?.span;
  return { items, end: close === undefined ? last : tokenSpan(context, close) };
}

function buildSettingValue(context: BuildContext, node: cst.SettingValueCstNode | undefined, fallback: Span, key: string): SettingValue {
  if (node === undefined) return { kind: 'SettingValue', items: [], span: fallback };
  const phrases: Phrase[] = (node.children.phrase ?? []).map((phrase) => {
    const parts = (phrase.children.parts ?? []).map((part) => buildExpression(context, part, fallback));
    if (parts.length === 0) parts.push({ kind: 'MissingExpr', span: fallback });
    return { kind: 'Phrase', parts, span: cover(context, parts[0]!.span, parts[parts.length - 1]!.span) };
  });
  const named: NamedArgument[] = (node.children.namedArgument ?? []).map((argument) => buildNamedArgument(context, argument, fallback));
  // Phrases and named arguments come from separate CST lists; source order restores their sequence.
  const items = [...phrases, ...named].sort((a, b) => a.span.start.offset - b.span.start.offset);
  reportEmptyItems(context, node.children.Comma ?? [], items, key);
  const span = items.length === 0 ? fallback : cover(context, items[0]!.span, items[items.length - 1]!.span);
  return { kind: 'SettingValue', items, span };
}

/**
 * Reports each run of commas that directly follow another comma of the same setting value (`32,,`)
 * once, and the commas after the last item (`32,` before '}' or the next setting) once.
 */
function reportEmptyItems(context: BuildContext, commas: IToken[], items: ReadonlyArray<{ span: Span }>, key: string): void {
  const real = commas.filter((comma) => Number.isFinite(comma.startOffset));
  const lastItemEnd = items[items.length - 1]?.span.end.offset ?? -1;
  const trailing = real.filter((comma) => comma.startOffset >= lastItemEnd);
  const inner = real.filter((comma) => comma.startOffset < lastItemEnd);
  if (trailing.length > 0) {
    const stray = trailing.length > 1 ? 'stray commas; remove them' : "a stray ','; remove it";
    const end = trailing[trailing.length - 1]!.startOffset + 1;
    context.diagnostics.push(
      makeDiagnostic('TIER1006', `Setting '${key}' ends with ${stray}.`, context.lines.span(context.file, trailing[0]!.startOffset, end)),
    );
  }
  const extra = inner.filter((comma, index) => {
    if (index === 0) return false;
    const previous = inner[index - 1]!.startOffset;
    return !items.some((item) => item.span.start.offset > previous && item.span.start.offset < comma.startOffset);
  });
  let index = 0;
  while (index < extra.length) {
    let last = index;
    while (last + 1 < extra.length && inner.indexOf(extra[last + 1]!) === inner.indexOf(extra[last]!) + 1) last++;
    const first = extra[index]!;
    const end = extra[last]!.startOffset + 1;
    const what = last > index ? 'extra commas' : 'extra comma';
    context.diagnostics.push(makeDiagnostic('TIER1006', `Expected an expression but found ','; remove the ${what}.`, context.lines.span(context.file, first.startOffset, end)));
    index = last + 1;
  }
}
