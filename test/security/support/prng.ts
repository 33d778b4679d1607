// A small seeded PRNG (mulberry32) so every fuzz run can be replayed: FUZZ_SEED=<n> repeats a run.
export interface Rng {
  readonly seed: number;
  next(): number;
  int(maxExclusive: number): number;
  pick<T>(items: readonly T[]): T;
  shuffle<T>(items: readonly T[]): T[];
}

export function rng(seed: number): Rng {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let x = s;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return {
    seed,
    next,
    int,
    pick: (items) => items[int(items.length)],
    shuffle: (items) => {
      const out = [...items];
      for (let i = out.length - 1; i > 0; i--) {
        const j = int(i + 1);
        [out[i], out[j]] = [out[j], out[i]];
      }
      return out;
    },
  };
}

/** The seed of this run: FUZZ_SEED if given, else a fixed default (CI runs are reproducible). */
export function fuzzSeed(): number {
  const v = Number(process.env.FUZZ_SEED ?? 20261102);
  return Number.isFinite(v) ? v : 20261102;
}

/** `FUZZ_LEVEL=full` runs every generated input; CI runs a bounded sample per operation. */
export function fuzzBudget(): number {
  return process.env.FUZZ_LEVEL === 'full' ? Number.POSITIVE_INFINITY : 20;
}

/** Requests generated from the schema per operation (fast-check): full runs take ≥ 10,000 in all. */
export function generatedBudget(): number {
  return process.env.FUZZ_LEVEL === 'full' ? 120 : 20;
}
