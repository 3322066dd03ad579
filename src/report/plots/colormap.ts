// The diverging colormap of the heatmaps: blue for negative, white at zero, red for positive.
// The anchors are ColorBrewer's 11-class RdBu colours at steps of 0.2, interpolated linearly in sRGB.

const anchors: readonly (readonly [number, number, number, number])[] = [
  [-1, 5, 48, 97],
  [-0.8, 33, 102, 172],
  [-0.6, 67, 147, 195],
  [-0.4, 146, 197, 222],
  [-0.2, 209, 229, 240],
  [0, 247, 247, 247],
  [0.2, 253, 219, 199],
  [0.4, 244, 165, 130],
  [0.6, 214, 96, 77],
  [0.8, 178, 24, 43],
  [1, 103, 0, 31],
];

/** Maps a value in [-1, 1] (clipped) to an sRGB colour. */
export function divergingColor(value: number): [number, number, number] {
  const v = Number.isFinite(value) ? Math.min(1, Math.max(-1, value)) : 0;
  for (let k = 1; k < anchors.length; k++) {
    const high = anchors[k] as readonly [number, number, number, number];
    if (v <= high[0]) {
      const low = anchors[k - 1] as readonly [number, number, number, number];
      const t = (v - low[0]) / (high[0] - low[0]);
      return [lerp(low[1], high[1], t), lerp(low[2], high[2], t), lerp(low[3], high[3], t)];
    }
  }
  const last = anchors[anchors.length - 1] as readonly [number, number, number, number];
  return [last[1], last[2], last[3]];
}

/** Formats the colour of `value` as a CSS hex string. */
export function divergingHex(value: number): string {
  return `#${divergingColor(value)
    .map((channel) => channel.toString(16).padStart(2, '0'))
    .join('')}`;
}

function lerp(a: number, b: number, t: number): number {
  return Math.round(a + (b - a) * t);
}
