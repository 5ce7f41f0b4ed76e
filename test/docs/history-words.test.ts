// Code, tests and docs say why in words. A reader of this repository has no project tracker, work log or roster to
// look up, so a reference to a tracker entry by number, to a team member by letter, or to a past work period
// explains nothing: the reason itself belongs in the text. This test reads every text file a reader sees and names each offending
// file:line. The bare word "session" stays legal: a lab session (LabSession) and a browser session are concepts of
// the product; only the phrasings that point at the project's own past or future are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

/** Top-level folders and files a reader sees. */
const ROOTS = ['src', 'test', 'scripts', 'bench', 'python', 'docs', 'deploy', 'tools', 'examples', 'README.md', '.ci'];

/** Generated, installed or build output: not written by hand, so not checked. */
const SKIP_DIRS = new Set(['node_modules', '.venv', 'venv', '__pycache__', '.pytest_cache', 'dist', 'build', 'runs', '.git']);

/** Files larger than this are data (traces, recorded tracks), not prose. */
const MAX_BYTES = 1_000_000;

/**
 * The refused phrasings, each with the reason a reader gives for it. Case-insensitive. Built from pieces so this
 * file does not match itself.
 */
const WORD = (...parts: string[]): string => parts.join('');
export const HISTORY_PATTERNS: ReadonlyArray<{ pattern: RegExp; why: string }> = [
  { pattern: new RegExp(`\\b${WORD('iss', 'ues?')}\\s*#?\\d+`, 'i'), why: 'names a tracker entry the reader cannot see' },
  { pattern: new RegExp(`\\(${WORD('iss', 'ue')}s?\\s`, 'i'), why: 'names a tracker entry the reader cannot see' },
  { pattern: new RegExp(`\\b${WORD('hel', 'pers?')}\\s+[A-Z]\\b(?![a-z])`), why: 'names a member of the team' },
  { pattern: new RegExp(`\\b${WORD('st', 'op')}\\s+\\d+\\b`, 'i'), why: 'names a step of the project\'s work log' },
  { pattern: new RegExp(`\\b(this|last|previous|earlier|next|that|same|prior)\\s+${WORD('ses', 'sion')}\\b`, 'i'), why: 'points at a work period, not at a concept of the product' },
  { pattern: new RegExp(`\\b(end|start|beginning) of the ${WORD('ses', 'sion')}\\b`, 'i'), why: 'points at a work period, not at a concept of the product' },
  { pattern: new RegExp(`\\bthe ${WORD('le', 'ad')} engineer\\b|\\bother ${WORD('engi', 'neers')}\\b`, 'i'), why: 'names the team' },
];

function* textFiles(path: string): Generator<string> {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return;
  if (st.isDirectory()) {
    for (const entry of readdirSync(path).sort()) {
      if (SKIP_DIRS.has(entry) || entry.endsWith('.egg-info')) continue;
      yield* textFiles(join(path, entry));
    }
    return;
  }
  if (st.isFile() && st.size <= MAX_BYTES) yield path;
}

/** Every `file:line: text (why)` in `paths` (relative to the repository) that uses a refused phrasing. */
export function findHistoryWords(paths: readonly string[] = ROOTS): string[] {
  const found: string[] = [];
  for (const top of paths) {
    for (const file of textFiles(join(root, top))) {
      const buffer = readFileSync(file);
      if (buffer.includes(0)) continue; // binary (images, model weights)
      const lines = buffer.toString('utf8').split('\n');
      lines.forEach((line, i) => {
        for (const { pattern, why } of HISTORY_PATTERNS) {
          const m = pattern.exec(line);
          if (!m) continue;
          found.push(`${relative(root, file)}:${i + 1}: "${m[0]}" ${why}`);
          break; // one finding per line is enough to point at it
        }
      });
    }
  }
  return found;
}

test('the patterns catch the project-history phrasings and leave the product\'s words alone', () => {
  const refused = [`see ${WORD('iss', 'ue')} 11`, `(${WORD('iss', 'ue')} 13)`, `${WORD('hel', 'per')} D's`, `${WORD('st', 'op')} 14`,
    `at the end of the ${WORD('ses', 'sion')}`, `in the last ${WORD('ses', 'sion')}`, `${WORD('iss', 'ue')} #12`];
  const allowed = ['LabSession starts the worker', 'the browser session', 'a lab session\'s namespace', 'expectedOf(issue: ZodIssue)', 'explain(issue)',
    'for (const issue of error.issues)', 'a helper module', 'stop the lab', 'stopped 3 nodes'];
  for (const text of refused) assert.ok(HISTORY_PATTERNS.some(({ pattern }) => pattern.test(text)), `not caught: ${text}`);
  for (const text of allowed) assert.ok(!HISTORY_PATTERNS.some(({ pattern }) => pattern.test(text)), `wrongly caught: ${text}`);
});

test('no project-history words in code, tests or docs (say the reason in words instead)', () => {
  const found = findHistoryWords();
  assert.deepEqual(found, [], `${found.length} place(s) refer to the project's history instead of saying why:\n${found.join('\n')}`);
});
