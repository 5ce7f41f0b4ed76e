/**
 * Reading the twin's input files as text, within limits: a size cap checked before reading (and on the
 * decompressed size of a `.gz`), binary files refused, and a missing or unreadable file reported in one line that
 * names it. Whole files for YAML and JSON ({@link readTextFile}), streamed lines for traces and GPS tracks
 * ({@link forEachLine}). Apart from the trace formats (traces.ts) because scenarios and mobility tracks read
 * through the same limits.
 */
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { InvalidInputError } from '../core/errors.js';
import { gunzipChunks } from './gunzip-stream.js';

const MiB = 1024 * 1024;
/** Largest trace file read (and, for `.gz`, largest decompressed size), bytes: 64 MiB (the paper's month is ~3 MiB). */
export const MAX_TRACE_BYTES = 64 * MiB;
/** Largest GPS track file read, bytes: 64 MiB (a multi-track public dataset of several hundred thousand fixes). */
export const MAX_GPS_BYTES = 64 * MiB;
/** Largest scenario file read, bytes: 1 MiB (a scenario is a few KiB; its data lives in trace files). */
export const MAX_SCENARIO_BYTES = 1 * MiB;
/** Bytes inspected for a NUL byte, the sign of a binary file. */
const BINARY_SNIFF_BYTES = 8192;

function sizeText(bytes: number): string {
  return bytes >= MiB ? `${(bytes / MiB).toFixed(1)} MiB` : `${bytes} bytes`;
}

/**
 * Bytes read per chunk when a file is streamed line by line. Small on purpose: a chunk's string then stays in V8's
 * young generation and dies there; 1 MiB chunks land in the large-object space, which only a full GC frees, and the
 * peak RSS grew with the file's size again (measured in trace-streaming.test.ts).
 */
const CHUNK_BYTES = 64 * 1024;

/** The size of a regular file, or a one-line error (missing, unreadable, a directory, larger than `maxBytes`). */
function statInput(path: string, what: string, maxBytes: number): number {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) throw new InvalidInputError({ source: path, field: what, expected: 'a regular file', actual: st.isDirectory() ? 'a directory' : 'not a regular file' });
    size = st.size;
  } catch (e) {
    if (e instanceof InvalidInputError) throw e;
    throw unreadable(path, what, e);
  }
  if (size > maxBytes) throw tooLarge(path, what, maxBytes, sizeText(size));
  return size;
}

function unreadable(path: string, what: string, e: unknown): InvalidInputError {
  const code = (e as NodeJS.ErrnoException).code;
  return new InvalidInputError({ source: path, field: what, expected: 'a readable file', actual: code === 'ENOENT' ? 'no such file' : String(code ?? e) });
}

function tooLarge(path: string, what: string, maxBytes: number, bytes: string): InvalidInputError {
  return new InvalidInputError({ source: path, field: what, expected: `a file of at most ${sizeText(maxBytes)}`, actual: bytes });
}

/**
 * Compressed size above which a `.gz` is inflated by a streaming worker ({@link gunzipChunks}) rather than into one
 * buffer: 1 MiB. Below it the whole inflate is faster than starting a worker (the shipped traces are under it), and
 * its output is still capped at the reader's limit.
 */
export const GZ_STREAM_ABOVE_BYTES = 1 * MiB;

/** Refuse binary content: a NUL byte in the first {@link BINARY_SNIFF_BYTES} bytes (`offset`: where `head` starts). */
function sniffBinary(head: Uint8Array, path: string, what: string, offset = 0): void {
  if (offset >= BINARY_SNIFF_BYTES) return;
  const found = head.subarray(0, BINARY_SNIFF_BYTES - offset).indexOf(0);
  const nul = found < 0 ? -1 : offset + found;
  if (nul >= 0) throw new InvalidInputError({ source: path, field: what, expected: 'a text file (CSV, YAML or JSON)', actual: `binary data (a NUL byte at offset ${nul})` });
}

/** A whole `.gz` file inflated, at most `maxBytes` once decompressed. */
function inflateFile(path: string, what: string, maxBytes: number): Buffer {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw unreadable(path, what, e);
  }
  try {
    return gunzipSync(buf, { maxOutputLength: maxBytes });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(path, what, maxBytes, `more than ${sizeText(maxBytes)} once decompressed`);
    throw new InvalidInputError({ source: path, field: what, expected: 'a gzip file', actual: 'corrupt gzip data' });
  }
}

/**
 * Read a file as text, transparently gunzipping `.gz`. Missing files, files larger than `maxBytes` (checked with a
 * stat before reading, and on the decompressed size for `.gz`) and binary files (a NUL byte) raise a one-line error.
 * For files parsed whole (YAML, JSON); line-oriented files go through {@link forEachLine}.
 */
export function readTextFile(path: string, what = 'file', maxBytes = MAX_TRACE_BYTES): string {
  statInput(path, what, maxBytes);
  let buf: Buffer;
  if (path.endsWith('.gz')) buf = inflateFile(path, what, maxBytes);
  else {
    try {
      buf = readFileSync(path);
    } catch (e) {
      throw unreadable(path, what, e);
    }
  }
  sniffBinary(buf, path, what);
  return buf.toString('utf8');
}

/** Visits the lines of a text: `visit(line, lineNo)` with 1-based line numbers. */
export type LineSource = (visit: (line: string, lineNo: number) => void) => void;

/**
 * The lines of a file, streamed: `visit(line, lineNo)` for every line, without its `\n` or a trailing `\r`, 1-based,
 * exactly as `text.split('\n')` would give them (a file ending in a newline ends with an empty line). The same caps
 * and one-line errors as {@link readTextFile}. A plain file is read in {@link CHUNK_BYTES} chunks, so memory does
 * not grow with its size; so is a `.gz` above {@link GZ_STREAM_ABOVE_BYTES}, inflated by a worker as it is read.
 * A smaller `.gz` is inflated into one buffer (at most `maxBytes`), whose lines are then decoded chunk by chunk the
 * same way. None builds a string of the whole file or an array of its lines.
 */
export function forEachLine(path: string, what: string, maxBytes: number, visit: (line: string, lineNo: number) => void): void {
  const size = statInput(path, what, maxBytes);
  const decoder = new TextDecoder('utf-8');
  let carry = '';
  let lineNo = 0;
  const emit = (line: string) => visit(line.endsWith('\r') ? line.slice(0, -1) : line, ++lineNo);
  const feed = (bytes: Uint8Array, last: boolean) => {
    // Newlines are searched in the new piece only, and a line longer than a chunk grows `carry` as a rope, so one
    // huge line costs O(its length), not O(length x chunks).
    const piece = decoder.decode(bytes, { stream: !last });
    let from = 0;
    for (let nl = piece.indexOf('\n'); nl >= 0; nl = piece.indexOf('\n', from)) {
      const head = piece.slice(from, nl);
      if (from === 0 && carry !== '') {
        emit(carry + head);
        carry = '';
      } else emit(head);
      from = nl + 1;
    }
    carry += from === 0 ? piece : piece.slice(from);
    if (last) emit(carry);
  };
  if (path.endsWith('.gz') && size > GZ_STREAM_ABOVE_BYTES) {
    let seen = 0;
    const outcome = gunzipChunks(path, CHUNK_BYTES, maxBytes, (bytes) => {
      sniffBinary(bytes, path, what, seen);
      seen += bytes.length;
      feed(bytes, false);
    });
    if (outcome === 'too-large') throw tooLarge(path, what, maxBytes, `more than ${sizeText(maxBytes)} once decompressed`);
    if (outcome === 'corrupt') throw new InvalidInputError({ source: path, field: what, expected: 'a gzip file', actual: 'corrupt gzip data' });
    if (outcome === 'unreadable') throw new InvalidInputError({ source: path, field: what, expected: 'a readable file', actual: 'a read error while inflating' });
    feed(new Uint8Array(0), true);
    return;
  }
  if (path.endsWith('.gz')) {
    const buf = inflateFile(path, what, maxBytes);
    sniffBinary(buf, path, what);
    for (let at = 0; at < buf.length; at += CHUNK_BYTES) feed(buf.subarray(at, Math.min(buf.length, at + CHUNK_BYTES)), false);
    feed(new Uint8Array(0), true);
    return;
  }
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw unreadable(path, what, e);
  }
  try {
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    let total = 0;
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, chunk, 0, CHUNK_BYTES, null);
      } catch (e) {
        throw unreadable(path, what, e);
      }
      if (total === 0) sniffBinary(chunk.subarray(0, n), path, what);
      total += n;
      // The file grew past the cap after the stat.
      if (total > maxBytes) throw tooLarge(path, what, maxBytes, `more than ${sizeText(maxBytes)}`);
      if (n === 0) break;
      feed(chunk.subarray(0, n), false);
    }
    feed(new Uint8Array(0), true);
  } finally {
    closeSync(fd);
  }
}

/** The lines of a text already in memory, as a {@link LineSource} (the same line numbering as {@link forEachLine}). */
export function textLines(text: string): LineSource {
  return (visit) => text.split('\n').forEach((l, i) => visit(l.endsWith('\r') ? l.slice(0, -1) : l, i + 1));
}
