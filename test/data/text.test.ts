import { describe, expect, it } from 'vitest';
import { cleanReport, extractSection, processReport, splitSections } from '../../src/data/index.js';

const report = `                                 FINAL REPORT
 EXAMINATION:  CHEST (PA AND LAT)

 INDICATION:  ___ year old woman with cough  // eval for pneumonia

 COMPARISON:  [** 2150-01-01 **]

 FINDINGS:
 
 The lungs are clear.  No pleural effusion.
 Heart size is normal.

 Impression:
 
 No acute cardiopulmonary process.
`;

describe('report sections', () => {
  it('splits MIMIC headings in any case', () => {
    // 'FINAL REPORT' has no colon, so it stays in the text before the first heading.
    const sections = splitSections(report);
    expect([...sections.keys()]).toEqual(['', 'examination', 'indication', 'comparison', 'findings', 'impression']);
  });

  it('takes the first requested section present', () => {
    expect(cleanReport(extractSection(report, ['impression', 'findings']) ?? '')).toBe('No acute cardiopulmonary process.');
    expect(cleanReport(extractSection(report, ['conclusion', 'findings']) ?? '')).toBe('The lungs are clear. No pleural effusion. Heart size is normal.');
    expect(extractSection(report, ['conclusion'])).toBeUndefined();
  });

  it('falls back to the whole report or nothing', () => {
    expect(processReport('Lungs clear.', { section: ['impression'] })).toBe('Lungs clear.');
    expect(processReport('Lungs clear.', { section: ['impression'], missingSection: 'empty' })).toBe('');
  });
});

describe('cleanReport', () => {
  it('removes placeholders and normalizes whitespace', () => {
    expect(cleanReport('Dr. ___ was   notified at ___ .\n[** Hospital 123 **] report')).toBe('Dr. was notified at. report');
  });

  it('keeps a single underscore', () => {
    expect(cleanReport('left_lower')).toBe('left_lower');
  });
});
