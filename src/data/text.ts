// Report text: optional extraction of one section (IMPRESSION, FINDINGS, ...) as MIMIC-CXR
// reports write them ("IMPRESSION:" at the start of a line, any case), removal of
// de-identification placeholders (`___`, `[** ... **]`) and whitespace normalization.

export interface ReportTextOptions {
  /**
   * Sections to keep, in order of preference, for example ['impression', 'findings'] takes the
   * impression and falls back to the findings. Without it the whole report is kept.
   */
  section?: string[];
  /** What to keep when none of the sections is present: the whole report (default) or nothing. */
  missingSection?: 'whole' | 'empty';
  /** Removes placeholders and normalizes whitespace; default true. */
  clean?: boolean;
}

/** Headings that end a section, as they appear in MIMIC-CXR and CheXpert reports. */
const knownHeadings = [
  'final report',
  'examination',
  'exam',
  'indication',
  'history',
  'clinical history',
  'clinical information',
  'reason for exam',
  'technique',
  'comparison',
  'comparisons',
  'findings',
  'impression',
  'conclusion',
  'conclusions',
  'recommendation',
  'recommendations',
  'notification',
  'wet read',
  'addendum',
];

const headingPattern = new RegExp(`^[ \\t]*(${knownHeadings.map((h) => h.replace(/ /g, '\\s+')).join('|')})[ \\t]*:`, 'gim');

/** Splits a report into sections keyed by lower-case heading; text before the first heading is under ''. */
export function splitSections(report: string): Map<string, string> {
  const sections = new Map<string, string>();
  const matches = [...report.matchAll(headingPattern)];
  const first = matches[0];
  sections.set('', report.slice(0, first?.index ?? report.length));
  matches.forEach((match, k) => {
    const name = (match[1] as string).toLowerCase().replace(/\s+/g, ' ');
    const start = (match.index as number) + match[0].length;
    const end = matches[k + 1]?.index ?? report.length;
    const body = report.slice(start, end);
    // A repeated heading (an addendum's second IMPRESSION) extends the section.
    sections.set(name, sections.has(name) ? `${sections.get(name) as string}\n${body}` : body);
  });
  return sections;
}

/** Returns the first requested section that is present and not empty, or undefined. */
export function extractSection(report: string, preference: string[]): string | undefined {
  const sections = splitSections(report);
  for (const name of preference) {
    const body = sections.get(name.toLowerCase());
    if (body !== undefined && cleanReport(body) !== '') return body;
  }
  return undefined;
}

/** Removes de-identification placeholders and collapses whitespace. */
export function cleanReport(text: string): string {
  return text
    .replace(/\[\*\*[\s\S]*?\*\*\]/g, ' ')
    .replace(/_{2,}/g, ' ')
    .replace(/\s+/g, ' ')
    .replace(/\s+([.,;:!?])/g, '$1')
    .trim();
}

/** Applies section extraction and clean-up as the options say. */
export function processReport(report: string, options: ReportTextOptions = {}): string {
  let text = report;
  if (options.section !== undefined && options.section.length > 0) {
    const section = extractSection(report, options.section);
    text = section ?? (options.missingSection === 'empty' ? '' : report);
  }
  return options.clean === false ? text.trim() : cleanReport(text);
}
