import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidInputError } from '../../core/errors.js';
import type { EpisodeMetrics } from '../../agents/trainer.js';
import { metricsLine, readMetricsJsonl } from './metrics-jsonl.js';

const episode = (i: number): EpisodeMetrics => ({ episode: i, steps: 10 * (i + 1), reward: -1.25 + i / 3, meanReward: -1.25, length: 10, epsilon: 1 - i / 7 });

test('readMetricsJsonl reads back what metricsLine writes (floats rounded to 6 decimals), skipping blank lines', () => {
  const f = join(mkdtempSync(join(tmpdir(), 'remora-metrics-')), 'metrics.jsonl');
  writeFileSync(f, [0, 1, 2].map((i) => metricsLine(episode(i))).join('') + '\n');
  const read = readMetricsJsonl(f);
  assert.equal(read.length, 3);
  assert.deepEqual(read[1], { ...episode(1), reward: Number((-1.25 + 1 / 3).toFixed(6)), epsilon: Number((1 - 1 / 7).toFixed(6)) });
});

test('a bad metrics.jsonl line is one InvalidInputError naming file, line number, field, expected and actual', () => {
  const dir = mkdtempSync(join(tmpdir(), 'remora-metrics-'));
  const bad = (name: string, lines: string[]): InvalidInputError => {
    const f = join(dir, name);
    writeFileSync(f, lines.join('\n') + '\n');
    try {
      readMetricsJsonl(f);
    } catch (e) {
      assert.ok(e instanceof InvalidInputError, String(e));
      assert.doesNotMatch(e.message, /\n/);
      return e;
    }
    assert.fail(`${name}: no error`);
  };
  const good = metricsLine(episode(0)).trimEnd();
  let e = bad('type.jsonl', [good, '', JSON.stringify({ ...episode(1), reward: 'high' })]);
  assert.equal(e.message, `${join(dir, 'type.jsonl')}: line 3, reward: expected number, got "high"`);
  e = bad('missing.jsonl', [JSON.stringify({ episode: 0, steps: 5, reward: 1, meanReward: 1, length: 5 })]);
  assert.equal(e.message, `${join(dir, 'missing.jsonl')}: line 1, epsilon: expected number, got nothing (missing)`);
  e = bad('int.jsonl', [good, JSON.stringify({ ...episode(1), length: 2.5 })]);
  assert.match(e.message, /: line 2, length: expected .*integer.*, got 2\.5$/);
  e = bad('json.jsonl', [good, '{"episode": 1,']);
  assert.equal(e.message, `${join(dir, 'json.jsonl')}: line 2: expected one JSON object, got "{\\"episode\\": 1,"`);
});
