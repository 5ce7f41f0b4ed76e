/**
 * Training progress for humans: on a TTY a single redrawn bar with steps/s, ε, mean episode reward and ETA;
 * off a TTY (CI logs, files) one quiet line every `logEveryMs`. The clock is injected.
 */
import type { TrainProgress } from '../../agents/trainer.js';

export interface ProgressSink {
  write(text: string): void;
  isTTY: boolean;
}

/**
 * The drawing both reporters share: redraws throttled (100 ms on a TTY, `logEveryMs` off it), the bar with its
 * percentage on a TTY, one `label: pct% fields` line otherwise, and the final state on `finish`.
 */
abstract class ThrottledBar {
  protected readonly startMs: number;
  private lastDrawMs = -Infinity;

  constructor(protected readonly sink: ProgressSink, protected readonly now: () => number, private readonly label: string, private readonly logEveryMs: number) {
    this.startMs = now();
  }

  protected draw(force: boolean): void {
    const t = this.now();
    if (!force && t - this.lastDrawMs < (this.sink.isTTY ? 100 : this.logEveryMs)) return;
    this.lastDrawMs = t;
    this.sink.write(this.render(t));
  }

  /** The final state: the completed bar (and its newline) on a TTY, one last log line otherwise. */
  finish(): void {
    const line = this.render(this.now());
    this.sink.write(this.sink.isTTY ? line + '\n' : line);
  }

  protected abstract render(t: number): string;

  /** One frame: `frac` done, the fields, and (off a TTY) a suffix. */
  protected frame(frac: number, fields: string, logSuffix = ''): string {
    if (!this.sink.isTTY) return `${this.label}: ${(100 * frac).toFixed(1)}% ${fields}${logSuffix}\n`;
    const width = 24;
    const filled = Math.round(Math.min(1, frac) * width);
    return `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(100 * frac).toFixed(0).padStart(3)}% ${fields}\x1b[K`;
  }
}

export class ProgressReporter extends ThrottledBar {
  private readonly runs = new Map<string, TrainProgress>();

  /**
   * @param now clock in ms (e.g. `performance.now`).
   * @param logEveryMs off-TTY period between log lines (default 10 s); the TTY bar redraws at most every 100 ms.
   */
  constructor(sink: ProgressSink, now: () => number, logEveryMs = 10_000) {
    super(sink, now, 'train', logEveryMs);
  }

  /** Report progress of run `id` (several runs are summed; ε and mean reward are averaged). */
  update(id: string, p: TrainProgress, force = false): void {
    this.runs.set(id, p);
    this.draw(force);
  }

  protected render(t: number): string {
    let steps = 0, total = 0, eps = 0, reward = 0, rewardRuns = 0, episodes = 0;
    for (const p of this.runs.values()) {
      steps += p.steps;
      total += p.totalSteps;
      eps += p.epsilon;
      episodes += p.episodes;
      if (Number.isFinite(p.meanReward)) {
        reward += p.meanReward;
        rewardRuns++;
      }
    }
    const n = this.runs.size;
    const elapsedS = Math.max(1e-9, (t - this.startMs) / 1000);
    const rate = steps / elapsedS;
    const etaS = rate > 0 ? (total - steps) / rate : Infinity;
    const frac = total > 0 ? steps / total : 0;
    const fields = `${steps}/${total} steps  ${fmtRate(rate)} steps/s  ε ${(eps / n).toFixed(3)}  mean reward ${rewardRuns ? (reward / rewardRuns).toFixed(2) : '—'}  episodes ${episodes}  ETA ${fmtDuration(etaS)}`;
    return this.frame(frac, fields, n > 1 ? `  (${n} runs)` : '');
  }
}

/**
 * Progress of work counted in units (fleet ticks, trained seeds) rather than steps of one agent: the same bar with
 * ETA on a TTY and a quiet line every `logEveryMs` otherwise, with a note saying what runs now.
 */
export class WorkProgress extends ThrottledBar {
  private last = { done: 0, total: 0, note: '' };

  constructor(sink: ProgressSink, now: () => number, label: string, private readonly unit: string, logEveryMs = 10_000) {
    super(sink, now, label, logEveryMs);
  }

  update(done: number, total: number, note: string, force = false): void {
    this.last = { done, total, note };
    this.draw(force);
  }

  protected render(t: number): string {
    const { done, total, note } = this.last;
    const elapsedS = Math.max(1e-9, (t - this.startMs) / 1000);
    const etaS = done > 0 ? (elapsedS * (total - done)) / done : Infinity;
    return this.frame(total > 0 ? Math.min(1, done / total) : 0, `${done}/${total} ${this.unit}  elapsed ${fmtDuration(elapsedS)}  ETA ${fmtDuration(etaS)}  ${note}`);
  }
}

function fmtRate(r: number): string {
  return r >= 1000 ? `${(r / 1000).toFixed(1)}k` : r.toFixed(0);
}

/** `1h02m`, `3m05s`, `42s`. */
export function fmtDuration(s: number): string {
  if (!Number.isFinite(s)) return '—';
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = Math.floor(s % 60);
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(sec).padStart(2, '0')}s`;
  return `${sec}s`;
}
