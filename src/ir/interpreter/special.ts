// Special functions in float64 for the reference interpreter: erf and the two GELU forms.

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/**
 * The error function, accurate to about 1e-15 absolute. It sums the series
 * erf(x) = 2/√π · e^(−x²) · Σ 2ⁿ x^(2n+1) / (2n+1)!!, whose terms are all positive, so no
 * cancellation occurs; beyond |x| = 6, erf(x) equals ±1 to double precision.
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const magnitude = Math.abs(x);
  if (magnitude >= 6) return Math.sign(x);
  const square = magnitude * magnitude;
  let term = magnitude;
  let sum = term;
  for (let n = 0; n < 500; n++) {
    term *= (2 * square) / (2 * n + 3);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return Math.sign(x) * TWO_OVER_SQRT_PI * Math.exp(-square) * sum;
}

/** GELU with the exact normal CDF: x · Φ(x) = x/2 · (1 + erf(x/√2)). */
export function geluExact(x: number): number {
  return 0.5 * x * (1 + erf(x / Math.SQRT2));
}

/** GELU's tanh approximation: x/2 · (1 + tanh(√(2/π) · (x + 0.044715 x³))). */
export function geluTanh(x: number): number {
  return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
}
