import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request } from 'node:http';
import { join } from 'node:path';
import { readSweepSummary } from '../experiments/sweep-summary.js';
import { makeRunsTree, serve, withDashboard } from './testing/dashboard-fixture.js';

// One runs tree for the first two tests (the second adds broken runs beside it; the first lists it as built).
let tree: Promise<string> | undefined;
const withTree = async (fn: Parameters<typeof serve>[1]): Promise<void> => serve(await (tree ??= makeRunsTree()), fn, {});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
const getJson = async (u: string): Promise<Json> => (await fetch(u)).json();

/** GET `path` exactly as written: fetch would resolve `..` and `%2e%2e` before the server could refuse them. */
function rawGet(url: string, path: string): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    request({ host: u.hostname, port: u.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    }).on('error', reject).end();
  });
}

/** Reads SSE messages off a fetch response: `next()` resolves with the next `{event, data}`, or `end` when it closed. */
function sseReader(res: Response): { next: () => Promise<{ event: string; data: Json } | 'end'> } {
  const reader = res.body!.getReader();
  let buf = '';
  return {
    next: async () => {
      for (;;) {
        const i = buf.indexOf('\n\n');
        if (i >= 0) {
          const msg = buf.slice(0, i).split('\n');
          buf = buf.slice(i + 2);
          const data = msg.find((l) => l.startsWith('data: '));
          if (!data) continue; // a keep-alive comment
          return { event: msg.find((l) => l.startsWith('event: '))?.slice(7) ?? 'message', data: JSON.parse(data.slice(6)) };
        }
        const { value, done } = await reader.read();
        if (done) return 'end';
        buf += Buffer.from(value).toString();
      }
    },
  };
}

test('dashboard routes: nested runs and sweeps, their pages, episodes, and one clear 404 line for a bad run name', async () => {
  await withTree(async (url, runs) => {
    const list: { name: string; kind: string; parent?: string; depth: number }[] = await getJson(`${url}/api/runs`);
    const by = new Map(list.map((r) => [r.name, r]));
    assert.deepEqual([...by.keys()].sort(), ['sarsa-quick', 'sweeps', 'sweeps/smoke', 'sweeps/smoke/seed-1', 'sweeps/smoke/seed-2']);
    assert.deepEqual(['sweeps', 'sweeps/smoke', 'sweeps/smoke/seed-2'].map((n) => [by.get(n)!.kind, by.get(n)!.parent, by.get(n)!.depth]), [['group', undefined, 0], ['sweep', 'sweeps', 1], ['train', 'sweeps/smoke', 2]]);
    const index = await (await fetch(url)).text();
    assert.match(index, /<tr class="nested" data-run="sweeps\/smoke\/seed-1" data-kind="train" style="--depth:2">/);

    // Each artefact through its one reader: the sweep page draws what sweep.json holds.
    const summary = readSweepSummary(join(runs, 'sweeps', 'smoke', 'sweep.json'));
    const sweepPage = await fetch(`${url}/run/sweeps/smoke`);
    assert.equal(sweepPage.status, 200);
    const html = await sweepPage.text();
    assert.match(html, /<section id="sweep-figure"><svg/);
    for (const sc of Object.keys(summary.scenarios)) assert.match(html, new RegExp(`<h3>${sc} <span class="tag">test</span>`));
    assert.match(html, new RegExp(`data-pct="${summary.overall['dqn']!.iqm}"`), 'the key column holds the overall IQM');
    assert.match(html, /href="\/run\/sweeps\/smoke\/seed-1">curves<\/a>/);
    for (const [path, title] of [['sweeps', 'Runs in sweeps'], ['sweeps/smoke/seed-1', 'Run sweeps/smoke/seed-1'], ['sweeps/smoke/seed-1/', 'Run sweeps/smoke/seed-1']] as const) {
      const r = await fetch(`${url}/run/${path}`);
      assert.equal(r.status, 200, path);
      assert.match(await r.text(), new RegExp(`<title>${title} ·`), path);
    }
    const curves = await getJson(`${url}/api/curves?run=sarsa-quick`);
    assert.equal(curves.points.length, readFileSync(join(runs, 'sarsa-quick', 'metrics.jsonl'), 'utf8').trim().split('\n').length);

    // A nested run's model replays in the episode explorer; the trace carries the UE's position for the map.
    const ep = await getJson(`${url}/api/episode?scenario=sr111-roundtrip&policy=sweeps%2Fsmoke%2Fseed-1&seed=1000`);
    assert.equal(ep.trace.length, 166);
    assert.ok(ep.trace.every((s: Json) => typeof s.xM === 'number' && typeof s.yM === 'number'));
    assert.notEqual(ep.trace[0].xM, ep.trace[100].xM, 'the UE moves');
    const page = await (await fetch(`${url}/episode?scenario=sr111-roundtrip&policy=oracle&seed=1000`)).text();
    assert.match(page, /<div class="map" style="max-width:960px" id="episode-map" data-step="0">/);
    assert.equal((page.match(/<g class="node( serving)?" data-node="Node \d">/g) ?? []).length, 3);
    assert.equal((page.match(/<line data-step="\d+"/g) ?? []).length, 165, 'a trail segment per step');

    // Bad parameters: one line each, 400; a bad run name: one line, 404, whatever the trick.
    let r = await fetch(`${url}/api/episode?scenario=nope`);
    assert.equal(r.status, 400);
    assert.match(((await r.json()) as Json).error, /^scenario: expected one of sr111, .*got "nope"$/);
    r = await fetch(`${url}/api/episode?seed=-3`);
    assert.equal(r.status, 400);
    assert.match(((await r.json()) as Json).error, /^seed: expected an integer >= 0, got "-3"$/);
    for (const policy of ['..%2Fetc', 'sweeps', '%2Fetc%2Fpasswd']) {
      r = await fetch(`${url}/api/episode?policy=${policy}`);
      assert.equal(r.status, 400, policy);
      assert.match(((await r.json()) as Json).error, /^policy: expected a baseline \(.*\) or a run with a model\.json, got /);
    }
    symlinkSync(tmpdir(), join(runs, 'escape'));
    mkdirSync(join(runs, '.hidden'));
    for (const bad of ['does-not-exist', '..%2F..%2Fetc', '%2e%2e', 'sweeps%2F..%2F..', 'sweeps/smoke/../../..', '.hidden', 'escape', 'sarsa-quick%00', '%E0%A4%A', 'a/b/c/d/e']) {
      const { status, body } = await rawGet(url, `/run/${bad}`);
      assert.equal(status, 404, bad);
      assert.equal((body.match(/<p class="err">/g) ?? []).length, 1, bad);
      assert.match(body, /<p class="err">run: expected the path of a run folder under [^<]* \(the runs page lists them\), got &quot;[^<]*&quot;<\/p>/, bad);
    }
    for (const bad of ['..%2Fsweeps', 'escape', '']) {
      const { status, body } = await rawGet(url, `/api/curves?run=${bad}`);
      assert.equal(status, 404, bad);
      assert.match(JSON.parse(body).error, /^run: expected the path of a run folder under /);
    }
    r = await fetch(`${url}/api/runs`, { method: 'POST' });
    assert.equal(r.status, 405);
    r = await fetch(`${url}/nowhere`);
    assert.equal(r.status, 404);
  });
});

test('dashboard shows one error line for a malformed summary.json, sweep.json or metrics.jsonl instead of failing the page', async () => {
  await withTree(async (url, runs) => {
    mkdirSync(join(runs, 'bad-summary'));
    writeFileSync(join(runs, 'bad-summary', 'summary.json'), JSON.stringify({ version: '0.1.0', commit: 7 }));
    mkdirSync(join(runs, 'bad-metrics'));
    writeFileSync(join(runs, 'bad-metrics', 'metrics.jsonl'), '{"episode":0,"steps":5,"reward":1,"meanReward":1,"length":5,"epsilon":1}\n{"episode":"one"}\n');
    const sweep = JSON.parse(readFileSync(join(runs, 'sweeps', 'smoke', 'sweep.json'), 'utf8'));
    sweep.scenarios['sr111-test'].dqn.iqm = 'high';
    mkdirSync(join(runs, 'sweeps', 'bad'));
    writeFileSync(join(runs, 'sweeps', 'bad', 'sweep.json'), JSON.stringify(sweep));
    const list: { name: string; error?: string; episodes?: number }[] = await getJson(`${url}/api/runs`);
    const by = (n: string) => list.find((x) => x.name === n)!;
    assert.equal(by('bad-summary').error, `${join(runs, 'bad-summary', 'summary.json')}: commit: expected string, got 7`);
    assert.equal(by('bad-metrics').error, `${join(runs, 'bad-metrics', 'metrics.jsonl')}: line 2, episode: expected number, got "one"`);
    assert.equal(by('sweeps/bad').error, `${join(runs, 'sweeps', 'bad', 'sweep.json')}: scenarios.sr111-test.dqn.iqm: expected number, got "high"`);
    assert.equal(by('sarsa-quick').error, undefined);
    assert.ok(by('sarsa-quick').episodes! > 0);
    const index = await (await fetch(url)).text();
    assert.match(index, /<td class="err">[^<]*bad-summary[^<]*summary\.json: commit: expected string, got 7<\/td>/);
    for (const name of ['bad-summary', 'bad-metrics', 'sweeps/bad']) {
      const r = await fetch(`${url}/run/${name}`);
      assert.equal(r.status, 200, name);
      assert.match(await r.text(), /<p class="err">[^<]*: (commit|line 2, episode|scenarios\.sr111-test\.dqn\.iqm): expected/);
    }
  });
});

test('live training curves: the SSE stream follows metrics.jsonl as it grows, ends when model.json appears, and lets go of the file', async () => {
  await withDashboard(
    async (url, runs, dash) => {
      const lines = readFileSync(join(runs, 'sarsa-quick', 'metrics.jsonl'), 'utf8').trimEnd().split('\n');
      const live = join(runs, 'live');
      mkdirSync(live);
      writeFileSync(join(live, 'config.json'), JSON.stringify({ steps: 3000 }));
      writeFileSync(join(live, 'metrics.jsonl'), lines.slice(0, 3).join('\n') + '\n');
      const page = await (await fetch(`${url}/run/live`)).text();
      assert.match(page, /new EventSource\('\/api\/curves\/stream\?run=' \+ encodeURIComponent\("live"\)\)/);

      const ac = new AbortController();
      const res = await fetch(`${url}/api/curves/stream?run=live`, { signal: ac.signal });
      assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
      const sse = sseReader(res);
      const first = await sse.next();
      assert.ok(first !== 'end' && first.data.episodes === 3, 'the stream opens with what the file holds');
      // A partial line waits for its newline; then the whole line counts.
      appendFileSync(join(live, 'metrics.jsonl'), lines.slice(3, 40).join('\n') + '\n' + lines[40]!.slice(0, 10));
      const second = await sse.next();
      assert.ok(second !== 'end' && second.data.episodes === 40, `40 episodes (${second !== 'end' && second.data.episodes})`);
      assert.match(second.data.sections['run-curves'], /<svg/);
      assert.match(second.data.sections['run-progress'], /<b>40<\/b> episodes, <b>\d+<\/b> of 3000 steps/);
      appendFileSync(join(live, 'metrics.jsonl'), lines[40]!.slice(10) + '\n' + lines.slice(41).join('\n') + '\n');
      const third = await sse.next();
      assert.ok(third !== 'end' && third.data.episodes === lines.length);
      assert.equal(dash.curves.following, 1);
      writeFileSync(join(live, 'model.json'), '{}');
      const done = await sse.next();
      assert.ok(done !== 'end' && done.event === 'done', 'the finished run ends the stream');
      assert.equal(await sse.next(), 'end');
      for (let i = 0; i < 40 && dash.curves.following > 0; i++) await new Promise((r) => setTimeout(r, 25));
      assert.equal(dash.curves.following, 0, 'the watcher and its interval are gone');

      // A page that goes away mid-run releases the file too.
      const other = join(runs, 'other');
      mkdirSync(other);
      writeFileSync(join(other, 'metrics.jsonl'), lines[0] + '\n');
      const ac2 = new AbortController();
      const r2 = await fetch(`${url}/api/curves/stream?run=other`, { signal: ac2.signal });
      await sseReader(r2).next();
      assert.equal(dash.curves.following, 1);
      ac2.abort();
      for (let i = 0; i < 40 && dash.curves.following > 0; i++) await new Promise((r) => setTimeout(r, 25));
      assert.equal(dash.curves.following, 0, 'disconnecting cleans up');
      ac.abort();
    },
    { curves: { pollMs: 100, coalesceMs: 20 } },
  );
});
