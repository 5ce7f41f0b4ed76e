/**
 * The one HTML/SVG escaper for every page and figure we render (reproduce's index.html, the SVG figures, the
 * dashboard). It escapes both quote characters, so its output is safe inside a quoted attribute as well as in
 * text content.
 */
const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}
