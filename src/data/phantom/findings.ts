// The five findings of the phantom, their random parameters, and where they sit: side (the
// patient's left or right) and zone (upper, middle or lower third of the lung height).
import type { Random } from '../random.js';
import { lungDepth, lungEdges, setCardiothoracicRatio, sideSign, type Anatomy, type Side } from './anatomy.js';

export type Zone = 'upper' | 'middle' | 'lower';

export const findingNames = ['Cardiomegaly', 'Pleural Effusion', 'Consolidation', 'Nodule', 'Pneumothorax'] as const;
export type FindingName = (typeof findingNames)[number];

/** Prevalence of each finding; findings are drawn independently, so about a third of images are normal. */
export const prevalence: Record<FindingName, number> = {
  Cardiomegaly: 0.22,
  'Pleural Effusion': 0.22,
  Consolidation: 0.22,
  Nodule: 0.18,
  Pneumothorax: 0.15,
};

export interface Findings {
  /** Heart width over thoracic width, above 0.5 when present. */
  cardiomegaly?: { ratio: number };
  effusion?: { side: Side; size: 'small' | 'moderate' | 'large'; height: number; meniscus: number };
  consolidation?: { side: Side; zone: Zone; blobs: Array<{ x: number; y: number; r: number }> };
  nodule?: { side: Side; zone: Zone; x: number; y: number; r: number };
  pneumothorax?: { side: Side; size: 'small' | 'moderate'; depth: number };
}

export function presentFindings(findings: Findings): FindingName[] {
  const present: FindingName[] = [];
  if (findings.cardiomegaly) present.push('Cardiomegaly');
  if (findings.effusion) present.push('Pleural Effusion');
  if (findings.consolidation) present.push('Consolidation');
  if (findings.nodule) present.push('Nodule');
  if (findings.pneumothorax) present.push('Pneumothorax');
  return present;
}

/** Returns the y range of a zone of a lung. */
export function zoneRange(anatomy: Anatomy, side: Side, zone: Zone): [number, number] {
  const top = anatomy.apexY + 0.02;
  const bottom = anatomy.diaphragmBase[side] - anatomy.domeHeight;
  const third = (bottom - top) / 3;
  const k = zones.indexOf(zone);
  return [top + k * third, top + (k + 1) * third];
}

/** Finds a point well inside the lung within the zone; returns undefined if none was found. */
function pointInZone(anatomy: Anatomy, side: Side, zone: Zone, margin: number, random: Random): [number, number] | undefined {
  const [top, bottom] = zoneRange(anatomy, side, zone);
  for (let attempt = 0; attempt < 40; attempt++) {
    const y = random.uniform(top, bottom);
    const edges = lungEdges(anatomy, side, y);
    if (edges === undefined) continue;
    const x = anatomy.midline + sideSign(side) * random.uniform(edges.medial, edges.lateral);
    if (lungDepth(anatomy, side, x, y) > margin && heartClear(anatomy, x, y)) return [x, y];
  }
  return undefined;
}

function heartClear(anatomy: Anatomy, x: number, y: number): boolean {
  const { heart } = anatomy;
  return ((x - heart.x) / (heart.rx * 1.1)) ** 2 + ((y - heart.y) / (heart.ry * 1.1)) ** 2 > 1;
}

const zones: Zone[] = ['upper', 'middle', 'lower'];
const sides: Side[] = ['left', 'right'];

function pick<T>(items: readonly T[], random: Random): T {
  return items[Math.floor(random.next() * items.length)] as T;
}

/** Draws which findings an image has and their parameters; cardiomegaly widens `anatomy.heart`. */
export function drawFindings(anatomy: Anatomy, random: Random): Findings {
  const findings: Findings = {};
  if (random.next() < prevalence.Cardiomegaly) {
    const ratio = random.uniform(0.55, 0.65);
    findings.cardiomegaly = { ratio };
    setCardiothoracicRatio(anatomy, ratio);
    anatomy.heart.ry *= random.uniform(1.05, 1.15);
  }
  if (random.next() < prevalence['Pleural Effusion']) {
    const size = pick(['small', 'moderate', 'large'] as const, random);
    const height = size === 'small' ? random.uniform(0.04, 0.07) : size === 'moderate' ? random.uniform(0.09, 0.14) : random.uniform(0.17, 0.24);
    findings.effusion = { side: pick(sides, random), size, height, meniscus: random.uniform(0.04, 0.08) };
  }
  if (random.next() < prevalence.Consolidation) {
    const side = pick(sides, random);
    const zone = pick(zones, random);
    const centre = pointInZone(anatomy, side, zone, 0.05, random);
    if (centre !== undefined) {
      const blobs = Array.from({ length: random.int(3, 5) }, () => ({
        x: centre[0] + random.uniform(-0.04, 0.04),
        y: centre[1] + random.uniform(-0.035, 0.035),
        r: random.uniform(0.03, 0.05),
      }));
      findings.consolidation = { side, zone, blobs };
    }
  }
  if (random.next() < prevalence.Nodule) {
    const side = pick(sides, random);
    const zone = pick(zones, random);
    const r = random.uniform(0.035, 0.05);
    const centre = pointInZone(anatomy, side, zone, r + 0.02, random);
    if (centre !== undefined) findings.nodule = { side, zone, x: centre[0], y: centre[1], r };
  }
  if (random.next() < prevalence.Pneumothorax) {
    const size = pick(['small', 'moderate'] as const, random);
    findings.pneumothorax = { side: pick(sides, random), size, depth: size === 'small' ? random.uniform(0.06, 0.08) : random.uniform(0.1, 0.13) };
  }
  return findings;
}
