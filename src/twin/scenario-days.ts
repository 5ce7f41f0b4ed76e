/**
 * Which days of a scenario's traces are for training, validation and testing, and where an episode's trace time
 * starts. The test days (the held-out day first) and the validation days are checked to be distinct and within the
 * trace; a training start avoids every segment that overlaps one of them. Apart from the loader because keeping
 * these days apart is what makes an evaluation honest, and it should read on its own.
 */
import { InvalidInputError } from '../core/errors.js';
import { nodeLoad } from '../core/reward.js';
import type { Rng } from '../core/rng.js';
import { DAY_S } from './builtin-scenarios.js';
import type { Scenario } from './scenario-schema.js';
import { rowAt, type TraceSeries } from './traces.js';

/** The day fields of a `ResolvedScenario` (scenario-loader.ts), documented there. */
export interface ScenarioDays {
  heldOutDay: number | null;
  testDays: number[];
  validationDays: number[];
  dailyMeanLoad: number[];
  pickTraceStart(rng: Rng, steps: number): number;
}

/** The days of `spec` over its loaded traces (`traceSpanSeconds`: the longest series); bad days are one-line errors. */
export function chooseDays(spec: Scenario, source: string, traces: TraceSeries[], shiftSeconds: Float64Array, traceSpanSeconds: number): ScenarioDays {
  const days = Math.max(1, Math.floor(traceSpanSeconds / DAY_S));
  const dailyMeanLoad = dailyLoads(spec, traces, shiftSeconds, days);
  const w = spec.workload;
  let heldOutDay: number | null = null;
  if (w.heldOutDay === 'heaviest') heldOutDay = dailyMeanLoad.indexOf(Math.max(...dailyMeanLoad));
  else if (typeof w.heldOutDay === 'number') {
    if (w.heldOutDay >= days) throw new InvalidInputError({ source, field: 'workload.heldOutDay', expected: `a day index < ${days}`, actual: String(w.heldOutDay) });
    heldOutDay = w.heldOutDay;
  }
  if (w.start === 'held-out-day' && heldOutDay === null) {
    throw new InvalidInputError({ source, field: 'workload.heldOutDay', expected: "'heaviest' or a day index when workload.start is 'held-out-day'", actual: '"none"' });
  }
  const testDays = [...(heldOutDay === null ? [] : [heldOutDay]), ...w.testDays];
  const checkDays = (field: 'testDays' | 'validationDays', list: number[], others: number[]) => {
    for (const [i, d] of list.entries()) {
      if (d >= days) throw new InvalidInputError({ source, field: `workload.${field}.${i}`, expected: `a day index < ${days}`, actual: String(d) });
      if (others.includes(d)) throw new InvalidInputError({ source, field: `workload.${field}.${i}`, expected: 'a day that is not also a test day', actual: String(d) });
    }
  };
  checkDays('testDays', w.testDays, heldOutDay === null ? [] : [heldOutDay]);
  checkDays('validationDays', w.validationDays, testDays);
  if (w.start === 'validation' && w.validationDays.length === 0) {
    throw new InvalidInputError({ source, field: 'workload.validationDays', expected: "at least one day when workload.start is 'validation'", actual: '[]' });
  }
  if (w.start === 'test' && testDays.length === 0) {
    throw new InvalidInputError({ source, field: 'workload.testDays', expected: "a test day (heldOutDay or testDays) when workload.start is 'test'", actual: '[]' });
  }
  // Training starts avoid every segment that overlaps a test day or a validation day.
  const excluded = [...new Set([...testDays, ...w.validationDays])].sort((x, y) => x - y);
  const withinDay = (rng: Rng, list: number[], need: number) => list[rng.int(list.length)]! * DAY_S + rng.uniform() * Math.max(0, DAY_S - need);
  const pickTraceStart = (rng: Rng, steps: number): number => {
    const need = (steps + 1) * w.traceSecondsPerStep;
    if (w.start === 'held-out-day') return heldOutDay! * DAY_S + w.offsetSeconds;
    if (w.start === 'validation') return withinDay(rng, w.validationDays, need);
    if (w.start === 'test') return withinDay(rng, testDays, need);
    // Uniform over [0, span - need] minus the starts whose segment overlaps an excluded day.
    const hi = Math.max(0, traceSpanSeconds - need);
    if (excluded.length === 0) return rng.uniform() * hi;
    const allowed: [number, number][] = [];
    let from = 0;
    for (const d of excluded) {
      const a = Math.max(0, Math.min(hi, d * DAY_S - need));
      const b = Math.min(hi, (d + 1) * DAY_S);
      if (a > from) allowed.push([from, a]);
      from = Math.max(from, b);
    }
    if (hi > from) allowed.push([from, hi]);
    const total = allowed.reduce((acc, [a, b]) => acc + (b - a), 0);
    if (total <= 0) return rng.uniform() * hi; // trace too short to exclude the days; documented fallback
    let u = rng.uniform() * total;
    for (const [a, b] of allowed) {
      if (u < b - a) return a + u;
      u -= b - a;
    }
    return allowed[allowed.length - 1]![1];
  };
  return { heldOutDay, testDays, validationDays: [...w.validationDays], dailyMeanLoad, pickTraceStart };
}

function dailyLoads(spec: Scenario, traces: TraceSeries[], shift: Float64Array, days: number): number[] {
  const dt = spec.workload.traceSecondsPerStep;
  const out: number[] = [];
  for (let d = 0; d < days; d++) {
    let sum = 0, cnt = 0;
    for (let tau = d * DAY_S; tau < (d + 1) * DAY_S; tau += dt) {
      for (let j = 0; j < traces.length; j++) {
        const tr = traces[j]!;
        const r = rowAt(tr, tau + shift[j]!);
        sum += nodeLoad(tr.cpu[r]!, tr.mem[r]!);
        cnt++;
      }
    }
    out.push(sum / cnt);
  }
  return out;
}
