// Rasterizes one phantom radiograph and the masks of its findings. Brightness is built up
// additively like attenuation: soft tissue, minus air in the lungs, plus mediastinum, heart,
// abdomen below the diaphragm, bone, vessels and the findings, then noise.
import type { Random } from '../random.js';
import { diaphragmY, heartDistance, lungDepth, type Anatomy, type Side } from './anatomy.js';
import type { FindingName, Findings } from './findings.js';

export interface Rendered {
  /** Grayscale, row-major, values in [0, 1]. */
  image: Float32Array;
  /** 0/1 masks by finding, for the findings that are present. */
  masks: Partial<Record<FindingName, Uint8Array>>;
}

function smoothstep(edge0: number, edge1: number, x: number): number {
  const t = Math.min(1, Math.max(0, (x - edge0) / (edge1 - edge0)));
  return t * t * (3 - 2 * t);
}

/** Renders at `size` × `size` pixels. */
export function renderPhantom(anatomy: Anatomy, findings: Findings, size: number, random: Random): Rendered {
  const image = new Float32Array(size * size);
  const vessels = drawVessels(anatomy, size);
  const masks: Rendered['masks'] = {};
  for (const name of ['Cardiomegaly', 'Pleural Effusion', 'Consolidation', 'Nodule', 'Pneumothorax'] as const) {
    const present = { Cardiomegaly: findings.cardiomegaly, 'Pleural Effusion': findings.effusion, Consolidation: findings.consolidation, Nodule: findings.nodule, Pneumothorax: findings.pneumothorax }[name];
    if (present) masks[name] = new Uint8Array(size * size);
  }
  const collapsed = findings.pneumothorax ? collapsedLung(anatomy, findings.pneumothorax.depth) : undefined;
  const cos = Math.cos(anatomy.tilt);
  const sin = Math.sin(anatomy.tilt);

  for (let row = 0; row < size; row++) {
    for (let column = 0; column < size; column++) {
      const u = (column + 0.5) / size - 0.5;
      const v = (row + 0.5) / size - 0.5;
      const x = 0.5 + cos * u - sin * v;
      const y = 0.5 + sin * u + cos * v;
      const index = row * size + column;
      image[index] = shade(anatomy, findings, collapsed, x, y, vessels[index] as number, masks, index);
    }
  }

  // Film grain plus a faint low-frequency mottle.
  const mottle = lowFrequencyNoise(size, random);
  for (let i = 0; i < image.length; i++) {
    image[i] = Math.min(1, Math.max(0, (image[i] as number) + 0.018 * random.normal() + 0.02 * (mottle[i] as number)));
  }
  return { image, masks };
}

function collapsedLung(anatomy: Anatomy, depth: number): Anatomy {
  return { ...anatomy, apexY: anatomy.apexY + depth * 0.9, lateralDistance: anatomy.lateralDistance - depth, apexDistance: anatomy.apexDistance - depth * 0.2 };
}

function shade(anatomy: Anatomy, findings: Findings, collapsed: Anatomy | undefined, x: number, y: number, vessel: number, masks: Rendered['masks'], index: number): number {
  const d = Math.abs(x - anatomy.midline);
  const side: Side = x >= anatomy.midline ? 'left' : 'right';

  // Body outline: neck, shoulders, chest wall.
  const bodyHalf = y < 0.03 ? 0.11 : y < 0.16 ? 0.11 + (0.47 - 0.11) * smoothstep(0.03, 0.16, y) : 0.47 - 0.02 * smoothstep(0.6, 1, y);
  const body = smoothstep(bodyHalf + 0.01, bodyHalf - 0.01, d);
  // Outside the body there is only air; every structure below lies inside it.
  if (body === 0) return 0.03;
  let value = 0.03 + body * anatomy.tissue * (0.82 + 0.18 * (1 - (d / 0.47) ** 2));

  // Lungs: air removes brightness; the heart and pleural fluid cover part of it.
  const depth = lungDepth(anatomy, side, x, y);
  let lung = smoothstep(-0.004, 0.008, depth);
  const diaphragm = diaphragmY(anatomy, side, d);
  const below = smoothstep(-0.004, 0.006, y - diaphragm);
  // The heart sits on the diaphragm, so nothing of it shows below the domes.
  const heartValue = heartDistance(anatomy, x, y);
  const heart = smoothstep(1.08, 0.92, heartValue) * (1 - below);
  if (findings.cardiomegaly && heartValue < 1 && y < diaphragm) (masks.Cardiomegaly as Uint8Array)[index] = 1;
  let airBoost = 0;
  let markings = vessel;

  if (findings.effusion && findings.effusion.side === side && depth > -0.01) {
    const effusion = findings.effusion;
    const lateral = anatomy.lateralDistance;
    const normalized = Math.min(1, Math.max(0, (d - anatomy.mediastinumHalfWidth) / (lateral - anatomy.mediastinumHalfWidth)));
    const level = anatomy.diaphragmBase[side] - anatomy.domeHeight - effusion.height - effusion.meniscus * normalized ** 2;
    const fluid = smoothstep(level - 0.006, level + 0.01, y);
    lung *= 1 - 0.92 * fluid;
    markings *= 1 - fluid;
    if (fluid > 0.5 && depth > 0) (masks['Pleural Effusion'] as Uint8Array)[index] = 1;
  }

  if (collapsed && findings.pneumothorax && findings.pneumothorax.side === side && depth > 0) {
    const inner = lungDepth(collapsed, side, x, y);
    const outside = smoothstep(0.002, -0.004, inner);
    markings *= 1 - outside;
    airBoost += 0.15 * outside;
    // The visceral pleural line at the edge of the collapsed lung.
    value += 0.14 * Math.exp(-((inner / 0.0035) ** 2));
    if (inner < 0) (masks.Pneumothorax as Uint8Array)[index] = 1;
  }

  let opacity = 0;
  if (findings.consolidation && findings.consolidation.side === side && depth > 0) {
    let field = 0;
    for (const blob of findings.consolidation.blobs) field += Math.exp(-((x - blob.x) ** 2 + (y - blob.y) ** 2) / (2 * blob.r * blob.r));
    opacity = smoothstep(0.3, 0.8, field);
    if (field > 0.5) (masks.Consolidation as Uint8Array)[index] = 1;
  }
  lung *= 1 - 0.8 * opacity;
  lung *= 1 - 0.85 * heart;

  const lungShade = 1 - 0.25 * ((y - 0.45) / 0.35) ** 2;
  value -= (anatomy.lungAir * lungShade + airBoost) * lung;
  value += 0.08 * opacity;
  value += 0.15 * markings * lung;

  // Mediastinum, aortic knob on the patient's left, and the heart.
  const aorticKnob = x > anatomy.midline ? 0.025 * Math.exp(-(((y - 0.3) / 0.035) ** 2)) : 0;
  const mediastinum = smoothstep(anatomy.mediastinumHalfWidth + aorticKnob + 0.008, anatomy.mediastinumHalfWidth + aorticKnob - 0.008, d) * smoothstep(0.05, 0.12, y);
  value += 0.2 * Math.max(mediastinum, heart) * body;

  // Abdomen under the domes, brighter under the liver, with a gastric air bubble on the left.
  value += below * body * (side === 'right' ? 0.2 : 0.15) * (1 - mediastinum * 0.3);
  const bubbleX = anatomy.midline + 0.16;
  const bubbleY = anatomy.diaphragmBase.left + 0.04;
  value -= 0.1 * smoothstep(1, 0.7, ((x - bubbleX) / 0.05) ** 2 + ((y - bubbleY) / 0.03) ** 2);

  // Spine behind the mediastinum, with disc spaces.
  const spine = smoothstep(0.034, 0.026, d) * smoothstep(0.02, 0.08, y);
  value += spine * (0.06 - 0.03 * Math.exp(-((((y % 0.045) - 0.0225) / 0.004) ** 2)));

  value += bone(anatomy, d, y, lung) * body;

  // The air-filled trachea runs down the midline to the carina.
  value -= 0.12 * smoothstep(0.016, 0.01, d) * smoothstep(0.36, 0.32, y) * body;

  if (findings.nodule && findings.nodule.side === side) {
    const nodule = findings.nodule;
    const distance = Math.hypot(x - nodule.x, y - nodule.y);
    value += 0.3 * smoothstep(nodule.r, nodule.r * 0.6, distance);
    if (distance < nodule.r) (masks.Nodule as Uint8Array)[index] = 1;
  }
  return value;
}

/** Posterior ribs, fainter anterior ribs and the clavicles. */
function bone(anatomy: Anatomy, d: number, y: number, lung: number): number {
  let total = 0;
  if (d > 0.035 && d < 0.44) {
    // Ribs stand out against lung air and fade over soft tissue.
    const contrast = 0.35 + 0.65 * lung;
    const drop = -0.06 * (d - 0.035) + 1.8 * Math.max(0, d - 0.2) ** 2;
    const first = Math.max(0, Math.floor((y - drop - anatomy.apexY + 0.03) / anatomy.ribSpacing) - 1);
    for (let k = first; k < Math.min(10, first + 3); k++) {
      const start = anatomy.apexY - 0.03 + k * anatomy.ribSpacing;
      // Posterior ribs rise slightly from the spine, then curve down at the lateral chest wall.
      const centre = start + drop;
      const half = 0.011 + 0.0008 * k;
      const offset = Math.abs(y - centre);
      if (offset < half + 0.004) {
        const band = smoothstep(half + 0.003, half - 0.003, offset);
        const cortex = Math.exp(-(((offset - half + 0.003) / 0.002) ** 2));
        total += contrast * anatomy.ribStrength * (0.75 * band + 0.5 * cortex);
      }
    }
    for (let k = 0; k < 6; k++) {
      // Anterior ribs are fainter and slope down towards the sternum.
      const anterior = anatomy.apexY + 0.09 + k * anatomy.ribSpacing * 1.1 + 0.25 * (0.4 - d);
      if (d > 0.08 && d < 0.36 && Math.abs(y - anterior) < 0.008) total += contrast * anatomy.ribStrength * 0.3;
    }
  }
  // Clavicles run from the sternal notch up and out towards the shoulders.
  if (d > 0.03 && d < 0.33) {
    const centre = 0.165 - 0.2 * (d - 0.03) + 0.35 * (d - 0.15) ** 2;
    total += 0.17 * smoothstep(0.016, 0.01, Math.abs(y - centre));
  }
  return total;
}

/** Rasterizes vessel centre lines as soft lines; a pneumothorax region is masked later. */
function drawVessels(anatomy: Anatomy, size: number): Float32Array {
  const field = new Float32Array(size * size);
  const cos = Math.cos(-anatomy.tilt);
  const sin = Math.sin(-anatomy.tilt);
  for (const side of ['left', 'right'] as const) {
    for (const vessel of anatomy.vessels[side]) {
      const sigma = Math.max(0.6, vessel.width * size * 0.5);
      for (let p = 0; p + 1 < vessel.points.length; p++) {
        const [x0, y0] = vessel.points[p] as [number, number];
        const [x1, y1] = vessel.points[p + 1] as [number, number];
        const taper = 1 - p / vessel.points.length;
        const steps = Math.max(2, Math.ceil(Math.hypot(x1 - x0, y1 - y0) * size));
        for (let s = 0; s < steps; s++) {
          const t = s / steps;
          // Undo the chest tilt, because the image is rendered with it applied.
          const wx = x0 + (x1 - x0) * t - 0.5;
          const wy = y0 + (y1 - y0) * t - 0.5;
          const px = (0.5 + cos * wx - sin * wy) * size - 0.5;
          const py = (0.5 + sin * wx + cos * wy) * size - 0.5;
          splat(field, size, px, py, sigma * (0.5 + 0.5 * taper), 0.5 * taper + 0.2);
        }
      }
    }
  }
  return field;
}

function splat(field: Float32Array, size: number, px: number, py: number, sigma: number, weight: number): void {
  const radius = Math.ceil(sigma * 2);
  const cx = Math.round(px);
  const cy = Math.round(py);
  for (let y = cy - radius; y <= cy + radius; y++) {
    if (y < 0 || y >= size) continue;
    for (let x = cx - radius; x <= cx + radius; x++) {
      if (x < 0 || x >= size) continue;
      const value = weight * Math.exp(-((x - px) ** 2 + (y - py) ** 2) / (2 * sigma * sigma));
      const index = y * size + x;
      field[index] = Math.max(field[index] as number, value);
    }
  }
}

/** Smooth noise in about [-1, 1]: random values on an 8 × 8 grid, interpolated bilinearly. */
function lowFrequencyNoise(size: number, random: Random): Float32Array {
  const grid = 8;
  const values = Array.from({ length: (grid + 1) * (grid + 1) }, () => random.uniform(-1, 1));
  const out = new Float32Array(size * size);
  for (let row = 0; row < size; row++) {
    const gy = (row / size) * grid;
    const y0 = Math.floor(gy);
    const fy = gy - y0;
    for (let column = 0; column < size; column++) {
      const gx = (column / size) * grid;
      const x0 = Math.floor(gx);
      const fx = gx - x0;
      const at = (yy: number, xx: number): number => values[yy * (grid + 1) + xx] as number;
      out[row * size + column] = (at(y0, x0) * (1 - fx) + at(y0, x0 + 1) * fx) * (1 - fy) + (at(y0 + 1, x0) * (1 - fx) + at(y0 + 1, x0 + 1) * fx) * fy;
    }
  }
  return out;
}
