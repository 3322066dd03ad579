// A seedable PRNG for bootstrap resampling: SFC32 (Chris Doty-Humphrey's Small Fast Counting
// generator) seeded through SplitMix32, so every machine draws the same resamples for a seed.
// Streams are keyed by a name (the label) so that adding a label leaves the others' intervals
// unchanged.

/** Uniform integers and floats from one seeded stream. */
export interface Stream {
  /** Uniform in [0, 1) with 32 random bits. */
  float(): number;
  /** Uniform integer in [0, bound). */
  below(bound: number): number;
}

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Creates a stream from a seed (any finite number; its integer part and sign bits are mixed) and a key. */
export function createStream(seed: number, key = ''): Stream {
  const seedLow = Math.trunc(seed) >>> 0;
  const seedHigh = Math.trunc(seed / 4294967296) >>> 0;
  const init = splitmix32(seedLow ^ keyHash(key) ^ Math.imul(seedHigh, 0x27d4eb2f));
  // State stays in int32 (`| 0`), which V8 keeps unboxed; values are read as unsigned only at the end.
  let a = init() | 0;
  let b = init() | 0;
  let c = init() | 0;
  let counter = 1;
  const next = (): number => {
    const t = (((a + b) | 0) + counter) | 0;
    counter = (counter + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // The first outputs of SFC32 are weakly mixed; discard them as its author recommends.
  for (let i = 0; i < 12; i++) next();
  return {
    float: () => next() / 4294967296,
    below: (bound) => Math.floor((next() / 4294967296) * bound),
  };
}

/** Hashes a key string to 32 bits (djb2 over UTF-16 code units, then an avalanche step). */
function keyHash(key: string): number {
  let hash = 5381;
  for (let i = 0; i < key.length; i++) hash = (Math.imul(hash, 33) + key.charCodeAt(i)) >>> 0;
  hash = Math.imul(hash ^ (hash >>> 15), 0x2c1b3c6d);
  return (hash ^ (hash >>> 12)) >>> 0;
}
