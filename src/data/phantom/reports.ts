// Report text for phantom images: each present finding is stated with its side and zone in one
// of several wordings, some absent findings are negated, and an image without findings gets a
// normal impression. Wording varies so a model cannot key on a single template.
import type { Random } from '../random.js';
import type { FindingName, Findings, Zone } from './findings.js';

function pick<T>(items: readonly T[], random: Random): T {
  return items[Math.floor(random.next() * items.length)] as T;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const zoneWords: Record<Zone, string[]> = {
  upper: ['upper', 'upper'],
  middle: ['mid', 'middle'],
  lower: ['lower', 'basilar'],
};

function zoneWord(zone: Zone, random: Random): string {
  return pick(zoneWords[zone], random);
}

function positiveSentence(name: FindingName, findings: Findings, random: Random): string {
  switch (name) {
    case 'Cardiomegaly':
      return pick(
        [
          'The heart is enlarged.',
          'Cardiomegaly is present.',
          'The cardiac silhouette is enlarged.',
          'Moderate cardiomegaly.',
          'Enlarged cardiac silhouette, consistent with cardiomegaly.',
          'The heart size is enlarged.',
        ],
        random,
      );
    case 'Pleural Effusion': {
      const { side, size } = findings.effusion as NonNullable<Findings['effusion']>;
      return pick(
        [
          `${capitalize(side)} pleural effusion.`,
          `There is a ${size} ${side} pleural effusion.`,
          `${capitalize(size)} ${side}-sided pleural effusion with a meniscus.`,
          `Blunting of the ${side} costophrenic angle, consistent with a ${size} effusion.`,
          `A ${size} ${side} effusion is present.`,
        ],
        random,
      );
    }
    case 'Consolidation': {
      const { side, zone } = findings.consolidation as NonNullable<Findings['consolidation']>;
      const where = zoneWord(zone, random);
      return pick(
        [
          `Consolidation in the ${side} ${where} zone.`,
          `There is airspace opacity in the ${side} ${where} lung.`,
          `Focal consolidation in the ${side} ${where} lung zone, concerning for pneumonia.`,
          `${capitalize(side)} ${where} zone opacity, likely consolidation.`,
          `Patchy opacity in the ${where} ${side} lung.`,
        ],
        random,
      );
    }
    case 'Nodule': {
      const { side, zone } = findings.nodule as NonNullable<Findings['nodule']>;
      const where = zoneWord(zone, random);
      return pick(
        [
          `A nodule is seen in the ${side} ${where} zone.`,
          `${capitalize(side)} ${where} lung nodule.`,
          `There is a rounded nodular opacity in the ${side} ${where} lung.`,
          `Small pulmonary nodule projecting over the ${side} ${where} zone.`,
        ],
        random,
      );
    }
    case 'Pneumothorax': {
      const { side, size } = findings.pneumothorax as NonNullable<Findings['pneumothorax']>;
      return pick(
        [
          `${capitalize(side)} pneumothorax.`,
          `There is a ${size} ${side} apical pneumothorax.`,
          `${capitalize(size)} ${side} pneumothorax with a visible pleural line.`,
          `A ${side}-sided pneumothorax is present.`,
        ],
        random,
      );
    }
  }
}

const negations: Record<FindingName, string[]> = {
  Cardiomegaly: ['The heart size is normal.', 'Heart size is normal.', 'No cardiomegaly.', 'The cardiac silhouette is normal.'],
  'Pleural Effusion': ['No pleural effusion.', 'There is no pleural effusion.', 'No effusion.'],
  Consolidation: ['No focal consolidation.', 'There is no consolidation.', 'No airspace opacity.'],
  Nodule: ['No pulmonary nodules.', 'No nodule is seen.'],
  Pneumothorax: ['No pneumothorax.', 'There is no pneumothorax.'],
};

const normalImpressions = [
  'No acute cardiopulmonary process.',
  'No acute cardiopulmonary abnormality.',
  'The lungs are clear.',
  'Normal chest radiograph.',
  'Lungs are clear. No acute findings.',
  'No acute intrathoracic process.',
];

/** Writes the report; `present` lists the findings in a fixed order. */
export function writeReport(findings: Findings, present: readonly FindingName[], random: Random): string {
  const sentences = present.map((name) => positiveSentence(name, findings, random));
  // Positive findings come in a shuffled order, as radiologists order them differently.
  for (let i = sentences.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    [sentences[i], sentences[j]] = [sentences[j] as string, sentences[i] as string];
  }
  const absent = (['Cardiomegaly', 'Pleural Effusion', 'Consolidation', 'Nodule', 'Pneumothorax'] as const).filter((name) => !present.includes(name));
  if (present.length === 0) {
    sentences.push(pick(normalImpressions, random));
    if (random.next() < 0.5) sentences.push(pick(negations['Pleural Effusion'], random));
    if (random.next() < 0.4) sentences.push(pick(negations.Pneumothorax, random));
    return sentences.join(' ');
  }
  if (!present.includes('Pleural Effusion') && !present.includes('Pneumothorax') && random.next() < 0.35) {
    sentences.push(pick(['No effusion or pneumothorax.', 'No pleural effusion or pneumothorax.'], random));
    return sentences.join(' ');
  }
  // At most four sentences, so reports stay short enough for small token limits.
  for (const name of absent) if (sentences.length < 4 && random.next() < 0.45) sentences.push(pick(negations[name], random));
  return sentences.join(' ');
}
