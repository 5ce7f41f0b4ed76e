/**
 * CLI plumbing shared by every command: declarative flags (typed from their spec, parsed with
 * `node:util.parseArgs`) with `--help`, and the IO object commands write to (injected, so tests capture output).
 * Commands live in `src/cli/commands/<name>.ts`, each exporting one {@link Command} made by {@link defineCommand};
 * `src/cli/registry.ts` lists them.
 */
import { parseArgs as parseArgv } from 'node:util';
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

interface FlagSpecBase {
  /** One-line description for --help. */
  description: string;
  /** Placeholder in --help, e.g. `<file>`. */
  placeholder?: string;
  /** The command cannot run without it: a missing flag is a one-line error, and its value is typed as set. */
  required?: boolean;
}

export interface StringFlagSpec extends FlagSpecBase {
  type: 'string';
  /** Allowed values; the flag's value is typed as their union. */
  choices?: readonly string[];
  /** Default value (rendered in --help). */
  default?: string;
}

export interface NumberFlagSpec extends FlagSpecBase {
  /** `integer` also rejects fractions. */
  type: 'number' | 'integer';
  default?: number;
}

export interface BooleanFlagSpec extends FlagSpecBase {
  /** `--flag` sets it; `--flag=false` and `--flag=0` clear it. */
  type: 'boolean';
  default?: boolean;
}

export type FlagSpec = StringFlagSpec | NumberFlagSpec | BooleanFlagSpec;
export type FlagType = FlagSpec['type'];
export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

/** The value one flag parses to: `choices` narrow a string to their union. */
export type FlagValue<S extends FlagSpec> = S extends { type: 'boolean' }
  ? boolean
  : S extends { type: 'number' | 'integer' }
    ? number
    : S extends { choices: readonly (infer C extends string)[] }
      ? C
      : string;

/** True when a flag always has a value after parsing (a default, or required). */
type AlwaysSet<S extends FlagSpec> = S extends { default: string | number | boolean } ? true : S extends { required: true } ? true : false;

/** The parsed flags of a command, typed from its spec: e.g. `{ steps: { type: 'integer', default: 1 } }` → `{ steps: number }`. */
export type FlagValues<F extends FlagSpecs> = {
  -readonly [K in keyof F]: AlwaysSet<F[K]> extends true ? FlagValue<F[K]> : FlagValue<F[K]> | undefined;
};

export interface ParsedArgs<F extends FlagSpecs = FlagSpecs> {
  flags: FlagValues<F>;
  positionals: string[];
  /**
   * The flags set on the command line, as opposed to filled in from their default: a command whose flag only
   * applies with another one can then refuse it when given alone, instead of silently ignoring it.
   */
  given: ReadonlySet<keyof F & string>;
}

export interface Command<F extends FlagSpecs = FlagSpecs> {
  /** Full command path, e.g. `simulate` or `bench env`. */
  name: string;
  /** One-line summary. */
  summary: string;
  /** Usage line after `remora <name>`, e.g. `[--scenario <name|file>]`. */
  usage?: string;
  /** Extra help text (examples, notes). */
  details?: string;
  flags: F;
  /** Names of positional arguments, for --help. */
  positionals?: string[];
  /**
   * Runs the command; returns the exit code. Throw RemoraError for user errors (printed as one line).
   * (Method syntax on purpose: its parameter is checked bivariantly, so any `Command<F>` is a `Command`.)
   */
  run(args: ParsedArgs<F>, io: Io): Promise<number>;
}

/**
 * Declare a command; `args.flags` in `run` is typed from `flags` (the `const` type parameter keeps `choices` and
 * `required: true` literal):
 *
 * ```ts
 * defineCommand({ name: 'x', summary: '...', flags: { steps: { type: 'integer', description: '...', default: 200000 } },
 *   async run({ flags }) { flags.steps; return 0; } }); // flags.steps: number
 * ```
 */
export function defineCommand<const F extends FlagSpecs>(cmd: Command<F>): Command<F> {
  return cmd;
}

/**
 * Parse `argv` (the words after the command name) against the command's flags, or return `'help'` at the first
 * `--help`/`-h`. Tokenised by `node:util.parseArgs`; the rules on top, in argv order, first problem wins:
 * - unknown `--flag`s are errors listing the known ones, and `--` is not special (it is an unknown flag);
 * - words starting with a single dash other than `-h` (e.g. `-3`) are positionals, not short options;
 * - a non-boolean flag takes the next word as its value even if that starts with `-`, or `--flag=value`;
 * - numbers must be finite, integers whole, strings one of `choices`; required flags are checked last.
 */
export function parseArgs<F extends FlagSpecs>(cmd: Command<F>, argv: string[]): ParsedArgs<F> | 'help' {
  const source = `remora ${cmd.name}`;
  const specs: FlagSpecs = cmd.flags;
  const options = Object.fromEntries(Object.entries(specs).map(([name, s]) => [name, { type: s.type === 'boolean' ? ('boolean' as const) : ('string' as const) }]));
  // strict: false keeps unknown flags and `--flag=x` on booleans as tokens, so the checks below word the errors.
  const { tokens } = parseArgv({ args: argv, options, strict: false, allowPositionals: true, tokens: true });
  const values: Record<string, string | number | boolean | undefined> = {};
  for (const [name, spec] of Object.entries(specs)) if (spec.default !== undefined) values[name] = spec.default;
  const positionals: string[] = [];
  const given = new Set<string>();
  let lastDashWord = -1;
  for (const token of tokens) {
    if (token.kind === 'positional') {
      positionals.push(token.value);
      continue;
    }
    const word = argv[token.index]!;
    if (token.kind === 'option-terminator') throw unknownFlag(source, '', specs);
    if (!word.startsWith('--')) {
      // parseArgs splits `-xy` into one token per letter, all with the word's index.
      if (word === '-h') return 'help';
      if (token.index !== lastDashWord) positionals.push(word);
      lastDashWord = token.index;
      continue;
    }
    if (word === '--help') return 'help';
    const name = token.name;
    const spec = Object.hasOwn(specs, name) ? specs[name]! : undefined;
    if (!spec) throw unknownFlag(source, word.slice(2).split('=')[0]!, specs); // parseArgs names `--=x` "=x"; the word says `--`
    given.add(name);
    if (spec.type === 'boolean') {
      values[name] = token.value === undefined ? true : !(token.value === 'false' || token.value === '0');
      continue;
    }
    if (token.value === undefined) throw new InvalidInputError({ source, field: `--${name}`, expected: `a ${spec.type} value`, actual: 'nothing' });
    values[name] = coerce(source, name, spec, token.value);
  }
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.required && values[name] === undefined) throw new InvalidInputError({ source, field: `--${name}`, expected: 'a value (this flag is required)', actual: 'nothing' });
  }
  // The one untyped step: `values` was filled from `cmd.flags` above, entry by entry, so it has FlagValues<F>'s shape.
  return { flags: values as FlagValues<F>, positionals, given: given as ReadonlySet<keyof F & string> };
}

function unknownFlag(source: string, name: string, specs: FlagSpecs): InvalidInputError {
  return new InvalidInputError({ source, field: `--${name}`, expected: `one of ${Object.keys(specs).map((f) => `--${f}`).join(', ') || '(no flags)'}`, actual: 'an unknown flag' });
}

function coerce(source: string, name: string, spec: StringFlagSpec | NumberFlagSpec, value: string): string | number {
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
      const left = `  --${name}${s.type === 'boolean' ? '' : ` ${s.placeholder ?? (s.type === 'string' && s.choices ? s.choices.join('|') : `<${s.type}>`)}`}`;
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
