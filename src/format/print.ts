// Prints the canonical layout of a .tier file as a Prettier doc. Top-level declarations are
// separated by one blank line (consecutive imports by none) and indentation is two spaces. At
// most one blank line is kept between statements, and `=` is aligned within each run of model or
// block members that no blank line separates. Every comment goes back beside its node.
import { builders, printer } from 'prettier/doc';

type Doc = builders.Doc;
import type {
  AxesDecl,
  BlockDecl,
  Node,
  ModelDecl,
  ModelMember,
  BlockStatement,
  Expr,
  Parameter,
  SettingsItem,
  SettingValue,
  SpecFile,
  TopLevelItem,
} from '../ast/index.js';
import { attachComments, type AttachedComment, type CommentMap } from './comments.js';
import { ExpressionPrinter } from './print-expr.js';

const { fill, group, indent, line, softline, hardline, join, ifBreak, lineSuffix, breakParent } = builders;

/** Columns a line may take before the formatter breaks it. */
export const PRINT_WIDTH = 100;

/** Spaces between code and a trailing `//` comment that is not aligned with others. */
const COMMENT_GAP = 2;

/** A line of a model body or of a block body (the block's result is an expression). */
type Statement = ModelMember | BlockStatement | Expr;

export class SpecPrinter {
  private readonly comments: CommentMap;
  private readonly expressions: ExpressionPrinter;
  /** Spaces before the trailing comment of a statement whose comment is aligned with its neighbours'. */
  private readonly commentPadding = new Map<Node, number>();

  constructor(
    private readonly file: SpecFile,
    private readonly text: string,
  ) {
    const skipped = file.items
      .filter((item) => item.kind === 'UnknownBlockDecl')
      .map((item) => ({ start: item.span.start.offset, end: item.span.end.offset }));
    this.comments = attachComments(file, skipped);
    this.expressions = new ExpressionPrinter((node) => this.node(node));
  }

  printFile(): Doc {
    const { items } = this.file;
    const dangling = this.commentsOf(this.file, 'dangling');
    if (items.length === 0) {
      return dangling.length === 0 ? '' : [join(hardline, dangling.map((entry) => entry.comment.text)), hardline];
    }
    const parts: Doc[] = [];
    items.forEach((item, index) => {
      if (index > 0) {
        const previous = items[index - 1]!;
        const tight = previous.kind === 'ImportDecl' && item.kind === 'ImportDecl' && !this.blankLineBetween(previous, item);
        parts.push(tight ? hardline : [hardline, hardline]);
      }
      parts.push(this.statement(item, () => this.topLevel(item)));
    });
    return [...parts, hardline];
  }

  // -------------------------------------------------------------------------------------------
  // Comments

  private commentsOf(node: Node, placement: AttachedComment['placement']): AttachedComment[] {
    return (this.comments.get(node) ?? []).filter((entry) => entry.placement === placement);
  }

  /** Prints a node with its leading and trailing comments. */
  node(node: Node, statement = false, content?: () => Doc): Doc {
    const body = content === undefined ? this.bare(node) : content();
    const leading = this.commentsOf(node, 'leading').map((entry) => {
      const inline = entry.comment.block && entry.comment.span.end.line === node.span.start.line;
      if (inline) return [entry.comment.text, ' '];
      return [entry.comment.text, hardline, entry.blankLineAfter ? hardline : ''];
    });
    const trailing = this.commentsOf(node, 'trailing').map((entry) => {
      if (entry.sameLine && entry.comment.block) return [' ', entry.comment.text];
      if (entry.sameLine) return lineSuffix([' '.repeat(this.commentPadding.get(node) ?? COMMENT_GAP), entry.comment.text]);
      // A comment on its own line after the node. Between statements it stays on its own line;
      // inside an expression it moves to the end of the current line, so it never swallows code.
      if (statement) return [hardline, entry.comment.text];
      return [lineSuffix([hardline, entry.comment.text]), breakParent];
    });
    if (leading.length === 0 && trailing.length === 0) return body;
    return [...leading, body, ...trailing];
  }

  private statement(node: Node, content: () => Doc): Doc {
    return this.node(node, true, content);
  }

  /**
   * Lines up the trailing `//` comments of consecutive one-line statements, as gofmt does. A
   * blank line, a statement without such a comment or a statement printed over several lines
   * ends a section. `contents` are the statements' docs without their own comments.
   */
  private alignTrailingComments(statements: readonly Node[], contents: readonly Doc[], indentWidth: number): void {
    let section: Array<{ node: Node; width: number }> = [];
    const flush = () => {
      const widest = Math.max(...section.map((entry) => entry.width));
      if (section.length > 1) for (const entry of section) this.commentPadding.set(entry.node, widest - entry.width + COMMENT_GAP);
      section = [];
    };
    statements.forEach((statement, index) => {
      if (index > 0 && this.blankLineBetween(statements[index - 1]!, statement)) flush();
      const trailing = this.commentsOf(statement, 'trailing');
      const eligible = trailing.length === 1 && trailing[0]!.sameLine && !trailing[0]!.comment.block;
      if (!eligible) return flush();
      const text = printer.printDocToString(contents[index]!, { printWidth: PRINT_WIDTH - indentWidth, tabWidth: 2 }).formatted;
      if (text.includes('\n')) return flush();
      section.push({ node: statement, width: [...text].length });
    });
    flush();
  }

  /** Dangling comments inside an empty body, one per line. */
  private danglingBody(node: Node): Doc | undefined {
    const dangling = this.commentsOf(node, 'dangling');
    if (dangling.length === 0) return undefined;
    return [indent([hardline, join(hardline, dangling.map((entry) => entry.comment.text))]), hardline];
  }

  private blankLineBetween(previous: Node, next: Node): boolean {
    const previousEnd = Math.max(previous.span.end.line, ...this.commentsOf(previous, 'trailing').map((entry) => entry.comment.span.end.line));
    const nextStart = Math.min(next.span.start.line, ...this.commentsOf(next, 'leading').map((entry) => entry.comment.span.start.line));
    return nextStart - previousEnd > 1;
  }

  // -------------------------------------------------------------------------------------------
  // Nodes

  private bare(node: Node): Doc {
    switch (node.kind) {
      case 'NamedArgument':
        return this.expressions.argument(node);
      case 'Parameter':
        return node.default === undefined ? this.node(node.name) : [this.node(node.name), ': ', this.node(node.default)];
      case 'TensorType':
        return [this.node(node.dtype), '[', join(', ', node.dims.map((dim) => this.node(dim))), ']'];
      case 'SettingValue':
        return this.settingValue(node);
      case 'Phrase':
        return join(' ', node.parts.map((part) => this.node(part)));
      case 'NumberLiteral':
      case 'StringLiteral':
      case 'Identifier':
      case 'ListExpr':
      case 'MemberExpr':
      case 'IndexExpr':
      case 'CallExpr':
      case 'UnaryExpr':
      case 'BinaryExpr':
      case 'ContractExpr':
      case 'RangeExpr':
      case 'ArrowExpr':
      case 'PipeExpr':
      case 'MissingExpr':
        return this.expressions.print(node);
      default:
        throw new Error(`the formatter prints '${node.kind}' nodes only as statements`);
    }
  }

  private topLevel(item: TopLevelItem): Doc {
    switch (item.kind) {
      case 'ImportDecl':
        return ['import ', this.node(item.path)];
      case 'ModelDecl':
        return this.model(item);
      case 'ModelInstanceDecl':
        return group(['model ', this.node(item.name), ' =', indent([line, this.node(item.value)])]);
      case 'BlockDecl':
        return this.block(item);
      case 'DataDecl':
        return this.settingsDeclaration(['data ', this.node(item.name)], item, item.body);
      case 'PreprocessDecl':
        return this.settingsDeclaration(['preprocess', item.name === undefined ? '' : [' ', this.node(item.name)]], item, item.body);
      case 'TrainDecl':
        return this.settingsDeclaration(['train', item.name === undefined ? '' : [' ', this.node(item.name)]], item, item.body);
      case 'EvalDecl':
        return this.settingsDeclaration(['eval ', this.node(item.name)], item, item.body);
      case 'ExportDecl':
        return this.settingsDeclaration(['export ', this.node(item.format)], item, item.body);
      case 'UnknownBlockDecl':
        // The parser skipped this body, so it is printed exactly as written.
        return this.text.slice(item.span.start.offset, item.span.end.offset);
    }
  }

  private parameters(params: Parameter[]): Doc {
    if (params.length === 0) return '';
    return group(['(', indent([softline, join([',', line], params.map((parameter) => this.node(parameter)))]), softline, ')']);
  }

  private model(model: ModelDecl): Doc {
    const head = ['model ', this.node(model.name), this.parameters(model.params), ' {'];
    if (model.members.length === 0) return [...head, this.danglingBody(model) ?? '', '}'];
    return [...head, indent([hardline, this.members(model.members)]), hardline, '}'];
  }

  private block(block: BlockDecl): Doc {
    const head = ['block ', this.node(block.name), this.parameters(block.params), ' {'];
    const statements: Statement[] = [...block.statements];
    if (block.result !== undefined) statements.push(block.result);
    if (statements.length === 0) return [...head, this.danglingBody(block) ?? '', '}'];
    return [...head, indent([hardline, this.members(statements)]), hardline, '}'];
  }

  /** Members or block statements, `=` aligned within runs not separated by a blank line. */
  private members(members: ReadonlyArray<Statement>): Doc {
    const heads = members.map((member) => this.memberHead(member));
    const widths = new Array<number>(members.length).fill(0);
    let runStart = 0;
    for (let index = 1; index <= members.length; index++) {
      if (index < members.length && !this.blankLineBetween(members[index - 1]!, members[index]!)) continue;
      const width = Math.max(0, ...heads.slice(runStart, index).map((head) => head?.width ?? 0));
      widths.fill(width, runStart, index);
      runStart = index;
    }
    const contents = members.map((member, index) => this.member(member, heads[index], widths[index]!));
    this.alignTrailingComments(members, contents, 2);
    const parts: Doc[] = [];
    members.forEach((member, index) => {
      if (index > 0) parts.push(this.blankLineBetween(members[index - 1]!, member) ? [hardline, hardline] : hardline);
      parts.push(this.statement(member, () => contents[index]!));
    });
    return parts;
  }

  private memberHead(member: Statement): { text: string; width: number } | undefined {
    let text: string;
    switch (member.kind) {
      case 'EncoderDecl':
        text = `${member.modality.name} encoder`;
        break;
      case 'HeadDecl':
        text = `head ${member.name.name}`;
        break;
      case 'LossDecl':
        text = `loss ${member.name.name}`;
        break;
      case 'LetDecl':
      case 'ParamDecl': {
        const keyword = member.kind === 'LetDecl' ? 'let' : 'param';
        const type = member.type === undefined ? '' : `: ${flat(this.bare(member.type))}`;
        text = `${keyword} ${member.name.name}${type}`;
        break;
      }
      default:
        return undefined;
    }
    return { text, width: [...text].length };
  }

  private member(member: Statement, head: { text: string; width: number } | undefined, width: number): Doc {
    if (member.kind === 'AxesDecl') return this.axes(member);
    if (head === undefined) return this.expressions.print(member as Expr);
    const named = member as Exclude<Statement, AxesDecl | Expr>;
    const padding = ' '.repeat(Math.max(0, width - head.width));
    return group([this.headDoc(named), padding, ' =', group(indent(line)), this.node(named.value)]);
  }

  private headDoc(member: Exclude<Statement, Expr>): Doc {
    switch (member.kind) {
      case 'EncoderDecl':
        return [this.node(member.modality), ' encoder'];
      case 'HeadDecl':
        return ['head ', this.node(member.name)];
      case 'LossDecl':
        return ['loss ', this.node(member.name)];
      case 'LetDecl':
      case 'ParamDecl':
        return [member.kind === 'LetDecl' ? 'let ' : 'param ', this.node(member.name), member.type === undefined ? '' : [': ', this.node(member.type)]];
      case 'AxesDecl':
        return 'axes';
    }
  }

  private axes(axes: AxesDecl): Doc {
    const list = axes.axes.map((axis) =>
      this.node(axis, false, () => {
        if (axis.size === undefined) return this.node(axis.name);
        return [this.node(axis.name), axis.constraint === 'max' ? ' <= ' : ' = ', this.node(axis.size)];
      }),
    );
    if (list.length === 0) return ['axes {', this.danglingBody(axes) ?? '', '}'];
    // Axes written over several lines stay that way; otherwise they go on one line if it fits.
    const multiline = axes.span.start.line !== axes.span.end.line;
    return group(['axes {', indent([line, join([ifBreak('', ';'), line], list)]), line, '}', multiline ? breakParent : '']);
  }

  // -------------------------------------------------------------------------------------------
  // Settings

  private settingsDeclaration(head: Doc, node: Node, body: SettingsItem[]): Doc {
    return [head, ' ', this.settingsBody(node, body, 2)];
  }

  /** `{ settings }` whose items are indented by `indentWidth` columns. */
  private settingsBody(owner: Node, body: SettingsItem[], indentWidth: number): Doc {
    if (body.length === 0) return ['{', this.danglingBody(owner) ?? '', '}'];
    const contents = body.map((item) => this.settingsItem(item, indentWidth));
    this.alignTrailingComments(body, contents, indentWidth);
    const parts: Doc[] = [];
    body.forEach((item, index) => {
      if (index > 0) parts.push(this.blankLineBetween(body[index - 1]!, item) ? [hardline, hardline] : hardline);
      parts.push(this.statement(item, () => contents[index]!));
    });
    return ['{', indent([hardline, parts]), hardline, '}'];
  }

  private settingsItem(item: SettingsItem, indentWidth: number): Doc {
    if (item.kind === 'Setting') return [this.node(item.key), ': ', this.node(item.value)];
    const name = item.name === undefined ? '' : [' ', this.node(item.name)];
    return [this.node(item.keyword), name, ' ', this.settingsBody(item, item.body, indentWidth + 2)];
  }

  private settingValue(value: SettingValue): Doc {
    const items = value.items.map((item) => this.node(item));
    if (items.length === 0) return '';
    // Phrases fill each line; a break is only ever placed after a comma.
    const parts: Doc[] = [];
    items.forEach((item, index) => {
      if (index > 0) parts.push([',', line]);
      parts.push(item);
    });
    return indent(fill(parts));
  }
}

/** Prints a doc on one line, for measuring alignment. */
function flat(doc: Doc): string {
  const parts: string[] = [];
  const visit = (current: Doc): void => {
    if (typeof current === 'string') parts.push(current);
    else if (Array.isArray(current)) current.forEach(visit);
    else if (current.type === 'group' || current.type === 'indent' || current.type === 'align' || current.type === 'line-suffix' || current.type === 'label') visit(current.contents);
    else if (current.type === 'line') parts.push(current.soft === true ? '' : ' ');
    else if (current.type === 'if-break') visit(current.flatContents ?? '');
  };
  visit(doc);
  return parts.join('');
}
