// Diagnostic codes TIER3xxx: types, named axes and shapes, reported while a model is checked
// and lowered to the IR.
import type { CatalogEntry } from './entry.js';

export const shapesCatalog: CatalogEntry[] = [
  { code: 'TIER3001', severity: 'error', summary: 'An axis named by a reduction, softmax, normalize or entropy is not an axis of the value.' },
  { code: 'TIER3002', severity: 'error', summary: "The operands of a contraction 'a . b' share no axis besides the batch axis." },
  { code: 'TIER3003', severity: 'error', summary: "The operands of a contraction 'a . b' share more than one axis besides the batch axis." },
  { code: 'TIER3004', severity: 'error', summary: 'An entropy is taken over a different axis than the one its softmax normalized, or over a value that is not a distribution.' },
  { code: 'TIER3005', severity: 'error', summary: 'A loss is not a scalar.' },
  { code: 'TIER3006', severity: 'error', summary: "A head's input width does not match the width of the value it is applied to." },
  { code: 'TIER3007', severity: 'error', summary: 'The operands of an elementwise operation have axes that do not align by name.' },
  { code: 'TIER3008', severity: 'error', summary: 'An axis has different sizes in two operands.' },
  { code: 'TIER3009', severity: 'error', summary: 'A value does not have the type its annotation declares.' },
  { code: 'TIER3010', severity: 'error', summary: "The image encoder's patch grid does not have the size of the declared 'patch' axis." },
  { code: 'TIER3011', severity: 'error', summary: 'A size expression is not a positive whole number below 2^31.' },
  { code: 'TIER3012', severity: 'error', summary: 'A value has the wrong kind: a tensor, a number, a layer or a string was expected.' },
  { code: 'TIER3013', severity: 'error', summary: "The declared bound of the 'token' axis exceeds the text encoder's position embeddings." },
  { code: 'TIER3014', severity: 'error', summary: 'A standard-library block rejects the shape of its input.' },
  { code: 'TIER3015', severity: 'error', summary: 'A head is applied to values of different widths, but its weights are shared.' },
  { code: 'TIER3016', severity: 'error', summary: 'A mask does not match the axes of the value it masks.' },
  { code: 'TIER3017', severity: 'error', summary: 'The declared image size does not fit the image encoder.' },
  { code: 'TIER3018', severity: 'error', summary: 'The model is larger than the compiler builds: too many IR nodes, or a parameter of 2^31 elements or more.' },
];
