// Attaches each comment of a file to an AST node so the printer can place it back. The comment
// goes to the deepest node that contains it. There it trails the child that ends before it on
// the same line, else leads the child that starts after it, else trails the last child before
// it. With no children it dangles in the container, as in an empty `model m { // todo }`.
import { childrenOf, type Comment, type Node, type SpecFile } from '../ast/index.js';

export type Placement = 'leading' | 'trailing' | 'dangling';

export interface AttachedComment {
  comment: Comment;
  placement: Placement;
  /** For trailing comments: whether the comment starts on the line where the node ends. */
  sameLine: boolean;
  /** Whether a blank line separates this comment from what follows it in the source. */
  blankLineAfter: boolean;
}

export type CommentMap = Map<Node, AttachedComment[]>;

export function attachComments(file: SpecFile, skipped: ReadonlyArray<{ start: number; end: number }>): CommentMap {
  const map: CommentMap = new Map();
  const comments = file.comments.filter(
    (comment) => !skipped.some((range) => comment.span.start.offset >= range.start && comment.span.end.offset <= range.end),
  );
  for (let index = 0; index < comments.length; index++) {
    const comment = comments[index]!;
    const next = comments[index + 1];
    const start = comment.span.start.offset;
    const end = comment.span.end.offset;

    let container: Node = file;
    let children = childrenOf(container);
    for (;;) {
      const inside = children.find((child) => child.span.start.offset <= start && end <= child.span.end.offset && child.span.start.offset < child.span.end.offset);
      if (inside === undefined) break;
      container = inside;
      children = childrenOf(container);
    }

    const preceding = [...children].reverse().find((child) => child.span.end.offset <= start);
    const following = children.find((child) => child.span.start.offset >= end);
    const followingStartLine = Math.min(
      following?.span.start.line ?? Number.POSITIVE_INFINITY,
      next !== undefined && next.span.start.offset >= end ? next.span.start.line : Number.POSITIVE_INFINITY,
    );
    const blankLineAfter = Number.isFinite(followingStartLine) && followingStartLine - comment.span.end.line > 1;

    let target: Node;
    let placement: Placement;
    let sameLine = false;
    const body = bodyOf(container);
    if (body !== undefined && body.length === 0) {
      // Inside empty braces; attaching it to the name before `{` would move it past the `}`.
      target = container;
      placement = 'dangling';
    } else if (preceding !== undefined && preceding.span.end.line === comment.span.start.line) {
      target = preceding;
      placement = 'trailing';
      sameLine = true;
    } else if (body !== undefined) {
      // Inside braces: before a member, after the last member, or alone in an empty body.
      const nextMember = body.find((member) => member.span.start.offset >= end);
      const lastMember = [...body].reverse().find((member) => member.span.end.offset <= start);
      if (nextMember !== undefined) {
        target = nextMember;
        placement = 'leading';
      } else if (lastMember !== undefined) {
        target = lastMember;
        placement = 'trailing';
      } else {
        target = container;
        placement = 'dangling';
      }
    } else if (following !== undefined) {
      target = following;
      placement = 'leading';
    } else if (preceding !== undefined) {
      target = preceding;
      placement = 'trailing';
    } else {
      target = container;
      placement = 'dangling';
    }
    const list = map.get(target) ?? [];
    list.push({ comment, placement, sameLine, blankLineAfter });
    map.set(target, list);
  }
  return map;
}

/** Returns the members between the braces of a container, or undefined for nodes without a body. */
function bodyOf(node: Node): readonly Node[] | undefined {
  switch (node.kind) {
    case 'ModelDecl':
      return node.members;
    case 'BlockDecl':
      return node.result === undefined ? node.statements : [...node.statements, node.result];
    case 'DataDecl':
    case 'PreprocessDecl':
    case 'TrainDecl':
    case 'EvalDecl':
    case 'ExportDecl':
    case 'SettingsBlock':
      return node.body;
    case 'AxesDecl':
      return node.axes;
    default:
      return undefined;
  }
}
