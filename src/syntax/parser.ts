// The Chevrotain grammar of .tier files. Rules are class fields in grammar order: the file,
// top-level declarations, model members, settings, then expressions from loosest to tightest
// binding. It builds a concrete syntax tree; `build.ts` in src/ast turns that into the AST.
import type { IToken, TokenType } from 'chevrotain';
import { CstParser, EOF } from './chevrotain.js';
import * as t from './tokens.js';
import { errorMessages } from './messages.js';

/** Tells whether `next` starts exactly where `previous` ends, with no space or comment between. */
function touches(previous: IToken, next: IToken): boolean {
  return previous.endOffset !== undefined && next.startOffset === previous.endOffset + 1;
}

export class TierParser extends CstParser {
  /**
   * Builds the parser. `validate` runs Chevrotain's grammar checks (ambiguities, left recursion),
   * about 20 ms of each start-up, so only the grammar test turns them on.
   */
  constructor(validate = false) {
    super(t.allTokens, {
      recoveryEnabled: true,
      skipValidations: !validate,
      maxLookahead: 3,
      nodeLocationTracking: 'none',
      errorMessageProvider: errorMessages,
    });
    this.performSelfAnalysis();
  }

  // -------------------------------------------------------------------------------------------
  // File and top-level declarations

  public specFile = this.RULE('specFile', () => {
    this.MANY(() => this.SUBRULE(this.topLevelItem));
  });

  public topLevelItem = this.RULE('topLevelItem', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.importDecl) },
      { ALT: () => this.SUBRULE(this.modelDecl) },
      { ALT: () => this.SUBRULE(this.blockDecl) },
      { ALT: () => this.SUBRULE(this.dataDecl) },
      { ALT: () => this.SUBRULE(this.preprocessDecl) },
      { ALT: () => this.SUBRULE(this.trainDecl) },
      { ALT: () => this.SUBRULE(this.evalDecl) },
      { ALT: () => this.SUBRULE(this.exportDecl) },
      { ALT: () => this.SUBRULE(this.unknownBlockDecl) },
    ]);
  });

  public importDecl = this.RULE('importDecl', () => {
    this.CONSUME(t.Import);
    this.CONSUME(t.StringToken, { LABEL: 'path' });
  });

  /** `model NAME(PARAMS) { MEMBERS }` or `model NAME = BASE(ARGS)`. */
  public modelDecl = this.RULE('modelDecl', () => {
    this.CONSUME(t.Model);
    this.CONSUME(t.Identifier, { LABEL: 'name' });
    this.OR([
      {
        ALT: () => {
          this.OPTION(() => this.SUBRULE(this.parameterList));
          this.CONSUME(t.LCurly);
          this.MANY(() => this.SUBRULE(this.modelMember));
          this.CONSUME(t.RCurly);
        },
      },
      {
        ALT: () => {
          this.CONSUME(t.Equals);
          this.SUBRULE(this.expression, { LABEL: 'value' });
        },
      },
    ]);
  });

  public blockDecl = this.RULE('blockDecl', () => {
    this.CONSUME(t.Block);
    this.CONSUME(t.Identifier, { LABEL: 'name' });
    this.OPTION(() => this.SUBRULE(this.parameterList));
    this.CONSUME(t.LCurly);
    this.MANY(() => this.SUBRULE(this.blockItem));
    this.CONSUME(t.RCurly);
  });

  public parameterList = this.RULE('parameterList', () => {
    this.CONSUME(t.LParen);
    this.MANY_SEP({ SEP: t.Comma, DEF: () => this.SUBRULE(this.parameter) });
    this.CONSUME(t.RParen);
  });

  public parameter = this.RULE('parameter', () => {
    this.CONSUME(t.Identifier, { LABEL: 'name' });
    this.OPTION(() => {
      this.CONSUME(t.Colon);
      this.SUBRULE(this.expression, { LABEL: 'default' });
    });
  });

  public blockItem = this.RULE('blockItem', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.letDecl) },
      { ALT: () => this.SUBRULE(this.paramDecl) },
      { ALT: () => this.SUBRULE(this.headDecl) },
      { ALT: () => this.SUBRULE(this.expression) },
    ]);
  });

  public dataDecl = this.RULE('dataDecl', () => {
    this.CONSUME(t.Data);
    this.CONSUME(t.Identifier, { LABEL: 'name' });
    this.SUBRULE(this.settingsBody);
  });

  public preprocessDecl = this.RULE('preprocessDecl', () => {
    this.CONSUME(t.Preprocess);
    this.OPTION(() => this.CONSUME(t.Identifier, { LABEL: 'name' }));
    this.SUBRULE(this.settingsBody);
  });

  public trainDecl = this.RULE('trainDecl', () => {
    this.CONSUME(t.Train);
    this.OPTION(() => this.CONSUME(t.Identifier, { LABEL: 'name' }));
    this.SUBRULE(this.settingsBody);
  });

  public evalDecl = this.RULE('evalDecl', () => {
    this.CONSUME(t.Eval);
    this.CONSUME(t.Identifier, { LABEL: 'name' });
    this.SUBRULE(this.settingsBody);
  });

  public exportDecl = this.RULE('exportDecl', () => {
    this.CONSUME(t.Export);
    this.CONSUME(t.Identifier, { LABEL: 'format' });
    this.SUBRULE(this.settingsBody);
  });

  /** A block whose kind is not a keyword; the body is skipped so the checker can name the kind. */
  public unknownBlockDecl = this.RULE('unknownBlockDecl', () => {
    this.CONSUME(t.Identifier, { LABEL: 'keyword' });
    this.OPTION(() => this.CONSUME2(t.Identifier, { LABEL: 'name' }));
    this.SUBRULE(this.skippedBody);
  });

  public skippedBody = this.RULE('skippedBody', () => {
    this.CONSUME(t.LCurly);
    this.MANY(() => {
      this.OR([{ ALT: () => this.SUBRULE(this.skippedBody) }, { ALT: () => this.CONSUME(t.NotBrace) }]);
    });
    this.CONSUME(t.RCurly);
  });

  // -------------------------------------------------------------------------------------------
  // Model members

  public modelMember = this.RULE('modelMember', () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.axesDecl) },
      { ALT: () => this.SUBRULE(this.encoderDecl) },
      { ALT: () => this.SUBRULE(this.headDecl) },
      { ALT: () => this.SUBRULE(this.letDecl) },
      { ALT: () => this.SUBRULE(this.paramDecl) },
      { ALT: () => this.SUBRULE(this.lossDecl) },
    ]);
  });

  public axesDecl = this.RULE('axesDecl', () => {
    this.CONSUME(t.Axes);
    this.CONSUME(t.LCurly);
    this.MANY(() => {
      this.SUBRULE(this.axisDecl);
      this.OPTION(() => this.CONSUME(t.Semicolon));
    });
    this.CONSUME(t.RCurly);
  });

  public axisDecl = this.RULE('axisDecl', () => {
    this.CONSUME(t.Identifier, { LABEL: 'name' });
    this.OPTION(() => {
      this.OR([{ ALT: () => this.CONSUME(t.LessEqual) }, { ALT: () => this.CONSUME(t.Equals) }]);
      this.SUBRULE(this.expression, { LABEL: 'size' });
    });
  });

  public encoderDecl = this.RULE('encoderDecl', () => {
    this.CONSUME(t.Identifier, { LABEL: 'modality' });
    this.CONSUME(t.Encoder);
    this.CONSUME(t.Equals);
    this.SUBRULE(this.expression, { LABEL: 'value' });
  });

  public headDecl = this.RULE('headDecl', () => {
    this.CONSUME(t.Head);
    this.CONSUME(t.Identifier, { LABEL: 'name' });
    this.CONSUME(t.Equals);
    this.SUBRULE(this.expression, { LABEL: 'value' });
  });

  public letDecl = this.RULE('letDecl', () => {
    this.CONSUME(t.Let);
    this.CONSUME(t.Identifier, { LABEL: 'name' });
    this.OPTION(() => this.SUBRULE(this.typeAnnotation));
    this.CONSUME(t.Equals);
    this.SUBRULE(this.expression, { LABEL: 'value' });
  });

  public paramDecl = this.RULE('paramDecl', () => {
    this.CONSUME(t.Param);
    this.CONSUME(t.Identifier, { LABEL: 'name' });
    this.OPTION(() => this.SUBRULE(this.typeAnnotation));
    this.CONSUME(t.Equals);
    this.SUBRULE(this.expression, { LABEL: 'value' });
  });

  public lossDecl = this.RULE('lossDecl', () => {
    this.CONSUME(t.Loss);
    this.CONSUME(t.Identifier, { LABEL: 'name' });
    this.CONSUME(t.Equals);
    this.SUBRULE(this.expression, { LABEL: 'value' });
  });

  /** `: f32[batch, token, 128]` */
  public typeAnnotation = this.RULE('typeAnnotation', () => {
    this.CONSUME(t.Colon);
    this.CONSUME(t.Identifier, { LABEL: 'dtype' });
    this.CONSUME(t.LBracket);
    this.MANY_SEP({ SEP: t.Comma, DEF: () => this.SUBRULE(this.expression, { LABEL: 'dims' }) });
    this.CONSUME(t.RBracket);
  });

  // -------------------------------------------------------------------------------------------
  // Settings

  public settingsBody = this.RULE('settingsBody', () => {
    this.CONSUME(t.LCurly);
    this.MANY(() => this.SUBRULE(this.settingsItem));
    this.CONSUME(t.RCurly);
  });

  public settingsItem = this.RULE('settingsItem', () => {
    // A nested block is `WORD {` or `WORD NAME {`. Anything else is a setting, so a missing
    // colon is reported as such and the value after it still parses.
    this.OR({
      MAX_LOOKAHEAD: 1,
      IGNORE_AMBIGUITIES: true,
      DEF: [
        { GATE: () => this.startsNestedBlock(), ALT: () => this.SUBRULE(this.settingsBlock) },
        { ALT: () => this.SUBRULE(this.setting) },
      ],
    });
  });

  public setting = this.RULE('setting', () => {
    const key = this.OR([
      { ALT: () => this.CONSUME(t.Name, { LABEL: 'key' }) },
      { ALT: () => this.CONSUME(t.StringToken, { LABEL: 'key' }) },
    ]);
    this.ACTION(() => {
      this.settingKeyColumn = key.startColumn ?? 0;
    });
    this.CONSUME(t.Colon);
    this.SUBRULE(this.settingValue);
  });

  public settingsBlock = this.RULE('settingsBlock', () => {
    this.CONSUME(t.Name, { LABEL: 'keyword' });
    this.OPTION(() => this.CONSUME(t.Identifier, { LABEL: 'name' }));
    this.SUBRULE(this.settingsBody);
  });

  /**
   * Comma-separated phrases; after a comma, `NAME: value` is a named argument. A doubled comma
   * (`32,,`) and a comma before the end of the setting (`32,` before '}' or the next setting)
   * parse as an empty item, which the AST builder reports. Failing inside the phrase instead would
   * make the parser's recovery leave the whole block and report the next line too.
   */
  public settingValue = this.RULE('settingValue', () => {
    this.SUBRULE(this.phrase);
    this.MANY(() => {
      this.CONSUME(t.Comma);
      this.OR([
        {
          GATE: () => !this.endsItemAfterComma() && this.LA(2).tokenType === t.Colon,
          ALT: () => this.SUBRULE(this.namedArgument),
        },
        { GATE: () => !this.endsItemAfterComma(), ALT: () => this.SUBRULE2(this.phrase) },
        { GATE: () => this.endsItemAfterComma(), ALT: () => undefined },
      ]);
    });
  });

  /**
   * Juxtaposed expressions on one line, up to a `KEY:` or nested `WORD {` that starts a new
   * item. A line break ends the phrase, so a setting that lost its colon is an error rather than
   * more words of the setting above it.
   */
  public phrase = this.RULE('phrase', () => {
    this.SUBRULE(this.expression, { LABEL: 'parts' });
    this.MANY({
      GATE: () => this.LA(1).startLine === this.LA(0).endLine && !this.startsSettingsItem(),
      DEF: () => this.SUBRULE2(this.expression, { LABEL: 'parts' }),
    });
  });

  // -------------------------------------------------------------------------------------------
  // Expressions

  /**
   * Operands and infix operators in a flat list. The AST builder applies precedence and
   * associativity, which keeps the parser's recursion (and its tree) shallow for long chains.
   */
  public expression = this.RULE('expression', () => {
    this.SUBRULE(this.unaryExpr, { LABEL: 'operands' });
    this.MANY(() => {
      this.CONSUME(t.BinaryOperator, { LABEL: 'operators' });
      this.SUBRULE2(this.unaryExpr, { LABEL: 'operands' });
    });
  });

  public unaryExpr = this.RULE('unaryExpr', () => {
    this.MANY(() => this.CONSUME(t.Minus, { LABEL: 'minus' }));
    this.SUBRULE(this.postfixExpr);
  });

  /** Member access, calls and indexing; `(` and `[` must touch what they apply to. */
  public postfixExpr = this.RULE('postfixExpr', () => {
    this.SUBRULE(this.primaryExpr);
    this.MANY({
      GATE: () => this.LA(1).tokenType === t.Dot || touches(this.LA(0), this.LA(1)),
      DEF: () => {
        this.OR([
          { ALT: () => this.SUBRULE(this.memberSuffix, { LABEL: 'suffixes' }) },
          { ALT: () => this.SUBRULE(this.callSuffix, { LABEL: 'suffixes' }) },
          { ALT: () => this.SUBRULE(this.indexSuffix, { LABEL: 'suffixes' }) },
        ]);
      },
    });
  });

  public memberSuffix = this.RULE('memberSuffix', () => {
    this.CONSUME(t.Dot);
    this.CONSUME(t.Name, { LABEL: 'property' });
  });

  public callSuffix = this.RULE('callSuffix', () => {
    this.CONSUME(t.LParen);
    this.MANY_SEP({ SEP: t.Comma, DEF: () => this.SUBRULE(this.argument) });
    this.CONSUME(t.RParen);
  });

  public indexSuffix = this.RULE('indexSuffix', () => {
    this.CONSUME(t.LBracket);
    this.SUBRULE(this.expression, { LABEL: 'index' });
    this.CONSUME(t.RBracket);
  });

  public argument = this.RULE('argument', () => {
    this.OR([
      { GATE: () => this.LA(2).tokenType === t.Colon, ALT: () => this.SUBRULE(this.namedArgument) },
      { ALT: () => this.SUBRULE(this.expression) },
    ]);
  });

  public namedArgument = this.RULE('namedArgument', () => {
    this.CONSUME(t.Name, { LABEL: 'name' });
    this.CONSUME(t.Colon);
    this.SUBRULE(this.expression, { LABEL: 'value' });
  });

  public primaryExpr = this.RULE('primaryExpr', () => {
    this.OR([
      { ALT: () => this.CONSUME(t.NumberLiteral) },
      { ALT: () => this.CONSUME(t.StringToken) },
      { ALT: () => this.CONSUME(t.Identifier, { LABEL: 'name' }) },
      { ALT: () => this.CONSUME(t.ValueKeyword, { LABEL: 'name' }) },
      { ALT: () => this.SUBRULE(this.listExpr) },
      { ALT: () => this.SUBRULE(this.parenExpr) },
    ]);
  });

  public listExpr = this.RULE('listExpr', () => {
    this.CONSUME(t.LBracket);
    this.MANY_SEP({ SEP: t.Comma, DEF: () => this.SUBRULE(this.expression, { LABEL: 'elements' }) });
    this.CONSUME(t.RBracket);
  });

  public parenExpr = this.RULE('parenExpr', () => {
    this.CONSUME(t.LParen);
    this.SUBRULE(this.expression);
    this.CONSUME(t.RParen);
  });

  // -------------------------------------------------------------------------------------------

  /** The column of the key of the setting being parsed; it separates a continuation line from the next setting. */
  private settingKeyColumn = 0;

  /**
   * Tells whether the token after a setting value's ',' leaves nothing for the comma to separate:
   * another ',', the block's '}', the end of the input, or the next setting. The next setting is a
   * `KEY:` or `WORD {` that starts a line no further right than the current setting's key. A line
   * indented further continues the value, so `NAME:` there is a named argument.
   */
  private endsItemAfterComma(): boolean {
    const next = this.LA(1);
    if (next.tokenType === t.Comma || next.tokenType === t.RCurly || next.tokenType === EOF) return true;
    if (next.startLine === this.LA(0).endLine || (next.startColumn ?? 0) > this.settingKeyColumn) return false;
    return this.startsSettingsItem();
  }

  private startsNestedBlock(): boolean {
    const second = this.LA(2).tokenType;
    return second === t.LCurly || (second === t.Identifier && this.LA(3).tokenType === t.LCurly);
  }

  /** Tells whether the next tokens begin a new setting (`KEY:`) or nested block (`WORD [NAME] {`). */
  private startsSettingsItem(): boolean {
    const first = this.LA(1).tokenType;
    const second = this.LA(2).tokenType;
    const isName = (type: TokenType) => type === t.Identifier || type.CATEGORIES?.includes(t.Name) === true;
    if (isName(first) || first === t.StringLiteral || first === t.UnterminatedString) {
      if (second === t.Colon || second === t.LCurly) return true;
    }
    return isName(first) && isName(second) && this.LA(3).tokenType === t.LCurly;
  }
}
