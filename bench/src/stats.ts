/** One measured quantity over several repetitions: its median and spread. */
export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** First and third quartiles (linear interpolation). */
  readonly q1: number;
  readonly q3: number;
  readonly samples: readonly number[];
}

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError('no samples');
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (at - lo);
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    median: quantile(sorted, 0.5),
    min: sorted[0] as number,
    max: sorted.at(-1) as number,
    q1: quantile(sorted, 0.25),
    q3: quantile(sorted, 0.75),
    samples: [...samples],
  };
}

/**
 * A subject measured against a yardstick in the same run. The ratio is the median of the per-repetition
 * ratios (each subject repetition paired with the yardstick repetition run next to it), so that noise
 * shared by a pair cancels; higher is better when `higherIsBetter`.
 */
export interface Comparison {
  readonly name: string;
  readonly unit: string;
  readonly subject: Summary;
  readonly yardstick: Summary & { readonly name: string };
  readonly ratio: Summary;
  readonly target?: { readonly ratio: number; readonly met: boolean };
  readonly extra?: Record<string, unknown>;
}

export function compare(
  name: string,
  unit: string,
  subject: readonly number[],
  yardstick: { readonly name: string; readonly samples: readonly number[] },
  targetRatio?: number,
  extra?: Record<string, unknown>,
): Comparison {
  if (subject.length !== yardstick.samples.length) throw new RangeError('subject and yardstick must pair up');
  const ratio = summarize(subject.map((value, i) => value / (yardstick.samples[i] as number)));
  return {
    name,
    unit,
    subject: summarize(subject),
    yardstick: { name: yardstick.name, ...summarize(yardstick.samples) },
    ratio,
    ...(targetRatio !== undefined && { target: { ratio: targetRatio, met: ratio.median >= targetRatio } }),
    ...(extra !== undefined && { extra }),
  };
}
