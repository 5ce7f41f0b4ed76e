/**
 * Typed errors. Every user-facing failure is a {@link RemoraError} whose message is one line naming the
 * source (file or object), the field, what was expected and what arrived. The CLI prints `message` only,
 * never a stack trace.
 */
export class RemoraError extends Error {
  /** Stable machine-readable code, e.g. `E_CONFIG`. */
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Details of a validation failure: where, which field, what was expected, what arrived. */
export interface InvalidInputDetails {
  /** File path or logical source name (e.g. `scenario sr111`). */
  source: string;
  /** Dotted field path or `line 12, column cpu`. */
  field: string;
  /** Human description of the expected value. */
  expected: string;
  /** The value that arrived, already rendered. */
  actual: string;
}

/** Bad user input: a config, scenario, trace row, model file or CLI flag. */
export class InvalidInputError extends RemoraError {
  readonly details: InvalidInputDetails;
  constructor(details: InvalidInputDetails, options?: { cause?: unknown }) {
    // Belt and braces: whatever a reader passed, the message stays one printable line of bounded length.
    const clean = (t: string, max: number) => escapeText(t, max);
    super(
      'E_INPUT',
      `${clean(details.source, 400)}: ${clean(details.field, 200)}: expected ${clean(details.expected, 400)}, got ${clean(details.actual, 200)}`,
      options,
    );
    this.details = details;
  }
}

/** Misuse of the Env API (e.g. `step` after the episode ended without `reset`). */
export class EnvStateError extends RemoraError {
  constructor(message: string) {
    super('E_ENV_STATE', message);
  }
}

/** An action outside the action space, or masked out. */
export class InvalidActionError extends RemoraError {
  constructor(message: string) {
    super('E_ACTION', message);
  }
}

/** A named thing (scenario, policy, agent) does not exist. */
export class NotFoundError extends RemoraError {
  constructor(kind: string, name: string, known: readonly string[]) {
    super('E_NOT_FOUND', `unknown ${kind} '${name}': expected one of ${known.join(', ')}`);
  }
}

/** Longest rendered value in an error message, characters (longer ones are cut, with their length). */
export const MAX_RENDERED_CHARS = 80;

/** Control, format, private-use, unassigned and separator code points, and U+FFFD (what undecodable bytes become). */
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Zl}\p{Zp}\uFFFD]/u;

function escapeCodePoint(ch: string): string {
  switch (ch) {
    case '\n':
      return '\\n';
    case '\r':
      return '\\r';
    case '\t':
      return '\\t';
  }
  const cp = ch.codePointAt(0)!;
  return cp < 0x100 ? `\\x${cp.toString(16).padStart(2, '0')}` : `\\u{${cp.toString(16)}}`;
}

/**
 * Escape non-printable characters (as `\n`, `\xNN`, `\u{NNNN}`) so raw binary never reaches a terminal, and cut the
 * result at `max` characters, saying how long the input was. `quote` wraps it in double quotes, JSON-style.
 */
export function escapeText(s: string, max = MAX_RENDERED_CHARS, quote = false): string {
  let out = '';
  let cut = false;
  for (const ch of s) {
    const piece = NON_PRINTABLE.test(ch) ? escapeCodePoint(ch) : quote && (ch === '"' || ch === '\\') ? `\\${ch}` : ch;
    if (out.length + piece.length > max) {
      cut = true;
      break;
    }
    out += piece;
  }
  const q = quote ? '"' : '';
  return cut ? `${q}${out}...${q} (${s.length.toLocaleString('en-US')} chars)` : `${q}${out}${q}`;
}

/** Render any value compactly for an error message: strings quoted, non-printable content escaped, long values cut. */
export function renderValue(v: unknown): string {
  if (typeof v === 'string') return escapeText(v, MAX_RENDERED_CHARS, true);
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (v === undefined) return 'undefined (missing)';
  try {
    const s = JSON.stringify(v);
    if (s === undefined) return String(v);
    return escapeText(s, MAX_RENDERED_CHARS);
  } catch {
    return escapeText(String(v));
  }
}
