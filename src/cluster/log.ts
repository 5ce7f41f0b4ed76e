/** Structured JSON logs: one object per line, with time, level, msg and fields. The sink is injected. */
import type { Clock } from './observe/types.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export interface Logger {
  log(level: LogLevel, msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export function jsonLogger(write: (line: string) => void, clock: Clock, base: Record<string, unknown> = {}, minLevel: LogLevel = 'info'): Logger {
  const order: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
  return {
    log(level, msg, fields) {
      if (order[level] < order[minLevel]) return;
      write(JSON.stringify({ time: new Date(clock.nowMs()).toISOString(), level, msg, ...base, ...fields }, (_k, v: unknown) => (v instanceof Error ? v.message : typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)) + '\n');
    },
    child(fields) {
      return jsonLogger(write, clock, { ...base, ...fields }, minLevel);
    },
  };
}

export const silentLogger: Logger = { log() {}, child: () => silentLogger };
