// Small helpers shared by the benchmark scripts: argument parsing and statistics.

/** `--name value` and bare `--flag` pairs as an object, over `defaults`. */
export function parseArgs(argv, defaults = {}) {
  const parsed = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`Unexpected argument '${arg}'; options are written --name value.`);
    const [name, inline] = arg.slice(2).split('=', 2);
    if (inline !== undefined) parsed[name] = inline;
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) parsed[name] = argv[++i];
    else parsed[name] = true;
  }
  return parsed;
}

/** The median of a list of numbers (mean of the middle two for an even count); NaN when empty. */
export function median(values) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Rounds to `digits` significant digits, keeping integers of more digits whole. */
export function round(value, digits = 3) {
  if (!Number.isFinite(value) || value === 0) return value;
  const magnitude = Math.floor(Math.log10(Math.abs(value))) + 1;
  const places = Math.max(0, digits - magnitude);
  return Number(value.toFixed(places));
}
