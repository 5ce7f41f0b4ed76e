/** The dashboard's HTML shell: header, navigation, and the one stylesheet every page shares. */
import { escapeHtml } from '../experiments/report/html.js';

// Tables: `.fit` wraps each one; it scrolls on its own rather than widen the page, and headers wrap at spaces.
// `td.key` is the % of the oracle: a bar (0-100) behind the value, red text when negative.
const STYLE = `
*{box-sizing:border-box}body{font-family:system-ui,sans-serif;margin:0;color:#222;background:#fff}
header{background:#1f3b57;color:#fff;padding:10px 20px}header a{color:#fff;margin-right:16px;text-decoration:none}
main{max-width:1400px;margin:16px auto;padding:0 16px}h1{font-size:22px;margin:8px 0 12px}h2{font-size:17px;margin:22px 0 8px}h3{font-size:15px;margin:16px 0 6px}
.fit{max-width:100%;overflow-x:auto;margin:6px 0 18px}table{border-collapse:collapse;font-size:13px}
th,td{border:1px solid #d6d6d6;padding:3px 7px;vertical-align:top}th{background:#f3f5f8;font-weight:600;text-align:left;max-width:9em}
caption{text-align:left;font-weight:600;padding:4px 0}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.key{font-weight:700;background:linear-gradient(90deg,#cfe3f5 var(--w),transparent var(--w));min-width:6.5em}td.neg{color:#b00020}td:first-child{white-space:nowrap}
tr.nested td:first-child{padding-left:calc(8px + 18px * var(--depth))}tr.nested td:first-child::before{content:'└ ';color:#aaa}tr.group td{background:#fafafa}
.tag{display:inline-block;font-size:11px;padding:0 6px;border-radius:8px;background:#e8eef5;color:#1f3b57}.tag.live{background:#fde7c8;color:#8a4b00}
svg{max-width:100%;height:auto}form{margin:8px 0 16px}select,input,button{font-size:14px;margin-right:8px}
.err{color:#b00020}.muted{color:#666}.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(680px,1fr));gap:12px}
.map-controls{display:flex;align-items:center;gap:10px;margin:4px 0 12px}.map-controls input[type=range]{flex:1}
`;

export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)} · Remora</title>
<style>${STYLE}</style></head><body><header><a href="/"><b>Remora</b></a><a href="/">Runs</a><a href="/episode">Episode explorer</a><a href="/live">Live</a></header><main>
<h1>${escapeHtml(title)}</h1>
${body}
</main></body></html>`;
}
