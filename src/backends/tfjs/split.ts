// Splits a program at the values where rows of the batch meet, for exact gradient
// accumulation (the GradCache method). The row part computes, per micro-batch, every value
// the loss part reads (the cut); the loss part computes the losses from the cut values of the
// whole accumulated batch. Statements that do not depend on the batch may appear in both.
import type { Operand, Statement, TfjsProgram } from './program.js';

export interface ProgramSplit {
  rowStatements: Statement[];
  lossStatements: Statement[];
  /** Cut entries: statement targets, or `input:<name>` for a graph input the loss part reads. */
  cut: string[];
}

/** Returns the split, or undefined when a loss does not pass through a batch-mixing value. */
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
  const lossOperands = Object.values(program.losses);
  for (const operand of lossOperands) {
    if (operand.kind === 'value' && byTarget.get(operand.name)!.rowClass === 'row') return undefined;
    visitLoss(operand);
  }
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
