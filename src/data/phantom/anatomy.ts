// Geometry and rendering of the normal synthetic chest radiograph: body outline, lung fields,
// mediastinum, heart, diaphragm domes, spine, ribs, clavicles and vascular markings. Coordinates
// are fractions of the image size, y downwards; the patient's right is on the image's left, as
// on a frontal (PA) radiograph. Every function is deterministic given its parameters.
import type { Random } from '../random.js';

export type Side = 'left' | 'right';

export interface Anatomy {
  /** Midline x. */
  midline: number;
  /** Lung apex y and the distance of the apex from the midline. */
  apexY: number;
  apexDistance: number;
  /** Largest lateral extent of the lungs from the midline. */
  lateralDistance: number;
  /** Half-width of the mediastinum. */
  mediastinumHalfWidth: number;
  /** Base y of each hemidiaphragm at its lateral recess, and the dome height above it. */
  diaphragmBase: Record<Side, number>;
  domeHeight: number;
  /** Heart ellipse: centre, half-width and half-height. */
  heart: { x: number; y: number; rx: number; ry: number };
  /** Brightness of soft tissue, lungs and bone. */
  tissue: number;
  lungAir: number;
  ribStrength: number;
  ribSpacing: number;
  /** Rotation of the whole chest in radians (small). */
  tilt: number;
  vessels: Record<Side, Vessel[]>;
}

export interface Vessel {
  points: Array<[number, number]>;
  width: number;
}

/** Draws a patient's anatomy; cardiomegaly changes only the heart width. */
export function drawAnatomy(random: Random): Anatomy {
  const midline = 0.5 + random.uniform(-0.012, 0.012);
  const lateralDistance = random.uniform(0.37, 0.4);
  const anatomy: Anatomy = {
    midline,
    apexY: random.uniform(0.11, 0.14),
    apexDistance: random.uniform(0.15, 0.18),
    lateralDistance,
    mediastinumHalfWidth: random.uniform(0.055, 0.07),
    diaphragmBase: { right: random.uniform(0.8, 0.83), left: 0 },
    domeHeight: random.uniform(0.07, 0.1),
    heart: { x: midline + random.uniform(0.045, 0.065), y: 0, rx: 0, ry: random.uniform(0.11, 0.13) },
    tissue: random.uniform(0.4, 0.48),
    lungAir: random.uniform(0.28, 0.33),
    ribStrength: random.uniform(0.07, 0.11),
    ribSpacing: random.uniform(0.064, 0.072),
    tilt: random.uniform(-0.03, 0.03),
    vessels: { left: [], right: [] },
  };
  anatomy.diaphragmBase.left = anatomy.diaphragmBase.right + random.uniform(0.015, 0.035);
  // The heart rests on the diaphragm: its widest part sits just above the domes.
  anatomy.heart.y = anatomy.diaphragmBase.right - anatomy.domeHeight - random.uniform(0.03, 0.05);
  // A normal cardiothoracic ratio is below 0.5; here it is 0.40–0.47.
  setCardiothoracicRatio(anatomy, random.uniform(0.4, 0.47));
  for (const side of ['left', 'right'] as const) anatomy.vessels[side] = growVessels(anatomy, side, random);
  return anatomy;
}

/** Signed side of the midline: the patient's left is the image's right (+1). */
export function sideSign(side: Side): number {
  return side === 'left' ? 1 : -1;
}

/** Returns the diaphragm's y at distance `d` from the midline on `side`: a dome with a deep lateral recess. */
export function diaphragmY(anatomy: Anatomy, side: Side, d: number): number {
  const centre = 0.2;
  const reach = anatomy.lateralDistance - centre + 0.02;
  const shape = Math.max(0, 1 - ((d - centre) / reach) ** 2);
  return anatomy.diaphragmBase[side] - anatomy.domeHeight * shape;
}

const edgeScratch = { medial: 0, lateral: 0 };

/**
 * Medial and lateral lung edges (distances from the midline) at height y, or undefined above the
 * apex. The returned object is reused by the next call, because this runs for every pixel.
 */
export function lungEdges(anatomy: Anatomy, side: Side, y: number): { medial: number; lateral: number } | undefined {
  if (y < anatomy.apexY) return undefined;
  const depth = y - anatomy.apexY;
  const span = anatomy.diaphragmBase[side] - anatomy.apexY;
  const t = depth / span;
  const lateral = anatomy.apexDistance + (anatomy.lateralDistance - anatomy.apexDistance) * Math.sqrt(Math.min(1, t / 0.7));
  const medial = anatomy.apexDistance - (anatomy.apexDistance - anatomy.mediastinumHalfWidth) * Math.sqrt(Math.min(1, t / 0.3));
  // Rounded apex: the first few percent narrow towards a point.
  const apex = Math.min(1, depth / 0.035);
  const middle = (lateral + medial) / 2;
  const half = ((lateral - medial) / 2) * Math.sqrt(apex);
  edgeScratch.medial = middle - half;
  edgeScratch.lateral = middle + half;
  return edgeScratch;
}

/** Returns how far (in image fractions) a point lies inside a lung, negative outside. */
export function lungDepth(anatomy: Anatomy, side: Side, x: number, y: number): number {
  const d = (x - anatomy.midline) * sideSign(side);
  const edges = lungEdges(anatomy, side, y);
  if (edges === undefined) return y - anatomy.apexY;
  return Math.min(d - edges.medial, edges.lateral - d, diaphragmY(anatomy, side, d) - y);
}

/** Heart width over thoracic width (the widest lung-to-lung distance). */
export function cardiothoracicRatio(anatomy: Anatomy): number {
  return (heartWidthFactor * anatomy.heart.rx) / (2 * anatomy.lateralDistance);
}

export function setCardiothoracicRatio(anatomy: Anatomy, ratio: number): void {
  anatomy.heart.rx = (ratio * 2 * anatomy.lateralDistance) / heartWidthFactor;
}

/** The heart extends 0.8·rx right of its centre and 1.1·rx left of it. */
const heartWidthFactor = 0.8 + 1.1;

/** Returns the squared elliptic distance from the heart centre; below 1 is inside the heart. */
export function heartDistance(anatomy: Anatomy, x: number, y: number): number {
  const { heart } = anatomy;
  // The heart's left border bulges more than its right.
  const rx = x > heart.x ? heart.rx * 1.1 : heart.rx * 0.8;
  // Below its widest part the heart keeps its width down to the diaphragm.
  const ry = y > heart.y ? heart.ry * 2.2 : heart.ry;
  return ((x - heart.x) / rx) ** 2 + ((y - heart.y) / ry) ** 2;
}

function growVessels(anatomy: Anatomy, side: Side, random: Random): Vessel[] {
  const sign = sideSign(side);
  const hilum: [number, number] = [anatomy.midline + sign * random.uniform(0.09, 0.11), random.uniform(0.44, 0.48)];
  const vessels: Vessel[] = [];
  const branch = (start: [number, number], angle: number, length: number, width: number, generation: number): void => {
    const points: Array<[number, number]> = [start];
    let [x, y] = start;
    let heading = angle;
    const steps = Math.max(3, Math.round(length / 0.012));
    for (let i = 0; i < steps; i++) {
      heading += random.uniform(-0.25, 0.25);
      x += Math.cos(heading) * 0.012;
      y += Math.sin(heading) * 0.012;
      points.push([x, y]);
      if (generation < 2 && i > 2 && random.next() < 0.18) branch([x, y], heading + random.uniform(-0.7, 0.7), length * 0.55, width * 0.65, generation + 1);
    }
    vessels.push({ points, width });
  };
  for (let k = 0; k < 9; k++) {
    // Angles fan out from the hilum: upwards, laterally and downwards, away from the midline.
    const spread = -1.35 + (2.7 * k) / 8 + random.uniform(-0.15, 0.15);
    const angle = side === 'left' ? spread : Math.PI - spread;
    branch(hilum, angle, random.uniform(0.14, 0.26), random.uniform(0.006, 0.009), 0);
  }
  return vessels;
}
