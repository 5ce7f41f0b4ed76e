import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml } from './html.js';

test('escapeHtml escapes & < > " and \' so text cannot open a tag or leave a quoted attribute', () => {
  assert.equal(escapeHtml(`a&b <i>"x"</i> 'y'`), 'a&amp;b &lt;i&gt;&quot;x&quot;&lt;/i&gt; &#39;y&#39;');
  for (const runName of ['run" onmouseover="alert(1)', "run' onmouseover='alert(1)", 'run"><script>alert(1)</script>']) {
    for (const q of ['"', "'"]) {
      const tag = `<a title=${q}${escapeHtml(runName)}${q} href="/run/x">`;
      // Exactly the two attributes we wrote, and the title's value decodes back to the run name.
      const m = tag.match(new RegExp(`^<a title=${q}([^${q}<>]*)${q} href="/run/x">$`));
      assert.ok(m, `${JSON.stringify(runName)} broke out of a ${q}-quoted attribute: ${tag}`);
      const decoded = m[1]!.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
      assert.equal(decoded, runName);
    }
  }
});
