// Offsets to line/column positions and back to line text. Lines end at "\n", "\r\n" or a lone
// "\r"; columns count UTF-16 code units from 1, a tab as one. The parser and the renderer both
// use this, so a caret always lands at the reported position.
import type { Position, Span } from './types.js';

export class LineMap {
  /** Offset of the first character of each line. */
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code === 10) this.starts.push(i + 1);
      else if (code === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        this.starts.push(i + 1);
      }
    }
  }

  get lineCount(): number {
    return this.starts.length;
  }

  /** The position of `offset`, clamped to the text. */
  position(offset: number): Position {
    const clamped = Math.max(0, Math.min(Number.isFinite(offset) ? offset : this.text.length, this.text.length));
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.starts[middle]! <= clamped) low = middle;
      else high = middle - 1;
    }
    return { offset: clamped, line: low + 1, column: clamped - this.starts[low]! + 1 };
  }

  span(file: string, start: number, end: number): Span {
    return { file, start: this.position(start), end: this.position(Math.max(start, end)) };
  }

  /** The text of line `line` (1-based) without its line break; empty past the end. */
  lineText(line: number): string {
    const start = this.starts[line - 1];
    if (start === undefined) return '';
    const next = this.starts[line];
    let end = next === undefined ? this.text.length : next;
    while (end > start && (this.text[end - 1] === '\n' || this.text[end - 1] === '\r')) end--;
    return this.text.slice(start, end);
  }
}
