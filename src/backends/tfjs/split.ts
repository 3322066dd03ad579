// Splits a program at the values where rows of the batch meet, for exact gradient
// accumulation (the GradCache method). The row part computes, per micro-batch, every value
// the loss part reads (the cut); the loss part computes the losses from the cut values of the
// whole accumulated batch. Statements that do not depend on the batch may appear in both.
// Both parts cover only the loss terms with a nonzero weight: the trainer skips a term whose
// weight is the constant 0, so neither its cut values nor its loss statements are computed.
import type { Operand, Statement, TfjsProgram } from './program.js';

export interface ProgramSplit {
  rowStatements: Statement[];
  lossStatements: Statement[];
  /** Cut entries: statement targets, or `input:<name>` for a graph input the loss part reads. */
  cut: string[];
}

/**
 * Returns the split, or undefined when a loss does not pass through a batch-mixing value.
 * Whether a split exists depends on every loss term, so a zero weight does not change how
 * accumulation computes the other terms.
 */
export function splitProgram(program: TfjsProgram): ProgramSplit | undefined {
  const statements = program.components.flatMap((c) => c.statements);
  const byTarget = new Map(statements.map((s) => [s.target, s]));
  const lossSide = new Set<string>();
  const cut = new Set<string>();
  const visitLoss = (operand: Operand): boolean => {
    if (operand.kind === 'param') return true;
    if (operand.kind === 'input') {
      cut.add(`input:${operand.name}`);
      return true;
    }
    const statement = byTarget.get(operand.name)!;
    if (statement.rowClass === 'row') {
      cut.add(statement.target);
      return true;
    }
    if (lossSide.has(statement.target)) return true;
    lossSide.add(statement.target);
    return statement.operands.every(visitLoss);
  };
  for (const operand of Object.values(program.losses)) {
    if (operand.kind === 'value' && byTarget.get(operand.name)!.rowClass === 'row') return undefined;
  }
  for (const name of trainedLosses(program)) visitLoss(program.losses[name]!);
  if (cut.size === 0) return undefined;

  const rowSide = new Set<string>();
  const visitRow = (operand: Operand): void => {
    if (operand.kind !== 'value' || rowSide.has(operand.name)) return;
    rowSide.add(operand.name);
    byTarget.get(operand.name)!.operands.forEach(visitRow);
  };
  for (const entry of cut) if (!entry.startsWith('input:')) visitRow({ kind: 'value', name: entry });

  return {
    rowStatements: statements.filter((s) => rowSide.has(s.target)),
    lossStatements: statements.filter((s) => lossSide.has(s.target)),
    cut: [...cut],
  };
}

/** Names of the loss terms whose weight is not the constant 0, in declaration order. */
export function trainedLosses(program: TfjsProgram): string[] {
  return program.info.losses.filter((loss) => !(loss.weight.kind === 'constant' && loss.weight.value === 0)).map((loss) => loss.name);
}
