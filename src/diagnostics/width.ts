// Terminal display width of source text, so a caret under a line with tabs, CJK characters or
// emoji lands under the right character. Tabs advance to the next multiple of TAB_WIDTH.

export const TAB_WIDTH = 4;

/** Columns that code point `code` occupies in a terminal: 0, 1 or 2. */
export function codePointWidth(code: number): number {
  if (code === 0x200b || code === 0x200c || code === 0x200d || code === 0xfeff) return 0;
  if (code >= 0x300 && code <= 0x36f) return 0;
  if (code >= 0xfe00 && code <= 0xfe0f) return 0;
  if (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0x303e) ||
    (code >= 0x3041 && code <= 0x33ff) ||
    (code >= 0x3400 && code <= 0x4dbf) ||
    (code >= 0x4e00 && code <= 0x9fff) ||
    (code >= 0xa000 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1f64f) ||
    (code >= 0x1f900 && code <= 0x1f9ff) ||
    (code >= 0x20000 && code <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

/**
 * Expands `text` for display: tabs become spaces and control characters become '?'. Returns the
 * display text and, for each UTF-16 offset of `text` (plus its end), the display column.
 */
export function layoutLine(text: string): { display: string; columns: number[] } {
  let display = '';
  const columns: number[] = [];
  let column = 0;
  for (let i = 0; i < text.length; ) {
    const code = text.codePointAt(i)!;
    const units = code > 0xffff ? 2 : 1;
    for (let unit = 0; unit < units; unit++) columns.push(column);
    if (code === 9) {
      const spaces = TAB_WIDTH - (column % TAB_WIDTH);
      display += ' '.repeat(spaces);
      column += spaces;
    } else if (code < 32 || code === 127) {
      display += '?';
      column += 1;
    } else {
      display += String.fromCodePoint(code);
      column += codePointWidth(code);
    }
    i += units;
  }
  columns.push(column);
  return { display, columns };
}
