/** The dashboard's HTML shell: header, navigation, and the one stylesheet every page shares. */
import { escapeHtml } from '../experiments/report/html.js';

export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · Remora</title>
<style>
body{font-family:sans-serif;margin:0;color:#222}header{background:#1f3b57;color:#fff;padding:10px 20px}header a{color:#fff;margin-right:16px;text-decoration:none}
main{max-width:1000px;margin:16px auto;padding:0 12px}table{border-collapse:collapse;font-size:13px;margin:8px 0 18px}th,td{border:1px solid #ccc;padding:3px 8px}
th{background:#f3f3f3}td.n{text-align:right;font-variant-numeric:tabular-nums}svg{max-width:100%;height:auto}form{margin:8px 0 16px}select,input,button{font-size:14px;margin-right:8px}
.err{color:#b00020}
</style></head><body><header><a href="/"><b>Remora</b></a><a href="/">Runs</a><a href="/episode">Episode explorer</a><a href="/live">Live</a></header><main>
<h1>${escapeHtml(title)}</h1>
${body}
</main></body></html>`;
}
