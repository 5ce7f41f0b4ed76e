/**
 * CLI plumbing shared by every command: a tiny declarative flag parser with `--help`, and the IO object
 * commands write to (injected, so tests capture output). Commands live in `src/cli/commands/<name>.ts`,
 * each exporting one {@link Command}; `src/cli/main.ts` registers them.
 */
import { InvalidInputError, RemoraError } from '../core/errors.js';

export interface Io {
  /** Write to stdout (no newline added). */
  out(text: string): void;
  /** Write to stderr (no newline added). */
  err(text: string): void;
  /** True when stderr is a terminal (progress bars only then). */
  isTTY: boolean;
  /** Working directory for resolving relative paths. */
  cwd: string;
  /** Environment variables (passed in, never read globally). */
  env: Record<string, string | undefined>;
}

export type FlagType = 'string' | 'number' | 'integer' | 'boolean';

export interface FlagSpec {
  type: FlagType;
  /** One-line description for --help. */
  description: string;
  /** Default value (rendered in --help). */
  default?: string | number | boolean;
  /** Allowed values for string flags. */
  choices?: readonly string[];
  /** Placeholder in --help, e.g. `<file>`. */
  placeholder?: string;
}

export type FlagValues = Record<string, string | number | boolean | undefined>;

export interface ParsedArgs {
  flags: FlagValues;
  positionals: string[];
}

export interface Command {
  /** Full command path, e.g. `simulate` or `bench env`. */
  name: string;
  /** One-line summary. */
  summary: string;
  /** Usage line after `remora <name>`, e.g. `[--scenario <name|file>]`. */
  usage?: string;
  /** Extra help text (examples, notes). */
  details?: string;
  flags: Record<string, FlagSpec>;
  /** Names of positional arguments, for --help. */
  positionals?: string[];
  /** Runs the command; returns the exit code. Throw RemoraError for user errors (printed as one line). */
  run(args: ParsedArgs, io: Io): Promise<number>;
}

export function parseArgs(cmd: Command, argv: string[]): ParsedArgs | 'help' {
  const flags: FlagValues = {};
  const positionals: string[] = [];
  for (const [name, spec] of Object.entries(cmd.flags)) if (spec.default !== undefined) flags[name] = spec.default;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') return 'help';
    if (!a.startsWith('--')) {
      positionals.push(a);
      continue;
    }
    let name = a.slice(2);
    let value: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 0) {
      value = name.slice(eq + 1);
      name = name.slice(0, eq);
    }
    const spec = cmd.flags[name];
    if (!spec) {
      throw new InvalidInputError({ source: `remora ${cmd.name}`, field: `--${name}`, expected: `one of ${Object.keys(cmd.flags).map((f) => `--${f}`).join(', ') || '(no flags)'}`, actual: 'an unknown flag' });
    }
    if (spec.type === 'boolean') {
      flags[name] = value === undefined ? true : !(value === 'false' || value === '0');
      continue;
    }
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new InvalidInputError({ source: `remora ${cmd.name}`, field: `--${name}`, expected: `a ${spec.type} value`, actual: 'nothing' });
    }
    flags[name] = coerce(cmd.name, name, spec, value);
  }
  return { flags, positionals };
}

function coerce(cmdName: string, name: string, spec: FlagSpec, value: string): string | number {
  const source = `remora ${cmdName}`;
  if (spec.type === 'string') {
    if (spec.choices && !spec.choices.includes(value)) throw new InvalidInputError({ source, field: `--${name}`, expected: `one of ${spec.choices.join('|')}`, actual: JSON.stringify(value) });
    return value;
  }
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidInputError({ source, field: `--${name}`, expected: `a finite ${spec.type}`, actual: JSON.stringify(value) });
  if (spec.type === 'integer' && !Number.isInteger(n)) throw new InvalidInputError({ source, field: `--${name}`, expected: 'an integer', actual: value });
  return n;
}

export function helpText(cmd: Command): string {
  const lines = [`remora ${cmd.name} - ${cmd.summary}`, '', `Usage: remora ${cmd.name} ${cmd.usage ?? (cmd.positionals ?? []).map((p) => `<${p}>`).join(' ') + ' [flags]'}`.trimEnd(), ''];
  const entries = Object.entries(cmd.flags);
  if (entries.length) {
    lines.push('Flags:');
    const rows = entries.map(([name, s]) => {
      const left = `  --${name}${s.type === 'boolean' ? '' : ` ${s.placeholder ?? (s.choices ? s.choices.join('|') : `<${s.type}>`)}`}`;
      const def = s.default !== undefined ? ` (default: ${String(s.default)})` : '';
      return [left, `${s.description}${def}`] as const;
    });
    rows.push(['  --help', 'Show this help'] as const);
    const w = Math.max(...rows.map((r) => r[0].length)) + 2;
    for (const [l, r] of rows) lines.push(l.padEnd(w) + r);
  }
  if (cmd.details) lines.push('', cmd.details.trim());
  return lines.join('\n') + '\n';
}

/** Typed accessors (throwing a clear error when a required flag is missing). */
export function requireFlag<T extends string | number | boolean>(cmd: string, flags: FlagValues, name: string): T {
  const v = flags[name];
  if (v === undefined) throw new InvalidInputError({ source: `remora ${cmd}`, field: `--${name}`, expected: 'a value (this flag is required)', actual: 'nothing' });
  return v as T;
}

/** Format an error for the CLI: one line for RemoraErrors, one line plus a hint for anything else. */
export function formatError(e: unknown): string {
  if (e instanceof RemoraError) return `remora: ${e.message}`;
  if (e instanceof Error) return `remora: internal error: ${e.message} (set REMORA_DEBUG=1 for a stack trace)`;
  return `remora: internal error: ${String(e)}`;
}

/** Plain fixed-width table. */
export function renderTable(header: string[], rows: string[][]): string {
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  return [line(header), w.map((x) => '-'.repeat(x)).join('  '), ...rows.map(line)].join('\n') + '\n';
}
