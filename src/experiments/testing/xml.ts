/**
 * Test helper: a strict XML well-formedness check for the SVGs we write (no dependency has an XML parser). It
 * covers what our writers can get wrong: tag nesting and closing, one root element, quoted and unique attributes,
 * and no raw `<` or bare `&` in text or attribute values. No DTDs, CDATA or processing instructions (ours have
 * none; they are reported as errors). Excluded from the build (tests only).
 */

const NAME = /^[A-Za-z_][\w.:-]*/;
const ENTITY = /^&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/;

/** Null when `xml` is well-formed, else a message naming the first problem and its offset. */
export function xmlWellFormedError(xml: string): string | null {
  const stack: string[] = [];
  let roots = 0;
  let i = 0;
  const text = (s: string, at: number): string | null => {
    for (let k = s.indexOf('&'); k >= 0; k = s.indexOf('&', k + 1)) if (!ENTITY.test(s.slice(k))) return `bare '&' at ${at + k}`;
    return null;
  };
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const chunk = lt < 0 ? xml.slice(i) : xml.slice(i, lt);
    const bad = text(chunk, i);
    if (bad) return bad;
    if (stack.length === 0 && chunk.trim() !== '') return `text outside the root element at ${i}`;
    if (lt < 0) break;
    if (xml.startsWith('<!--', lt)) {
      const end = xml.indexOf('-->', lt + 4);
      if (end < 0) return `unterminated comment at ${lt}`;
      i = end + 3;
      continue;
    }
    const gt = xml.indexOf('>', lt);
    if (gt < 0) return `unterminated tag at ${lt}`;
    const tag = xml.slice(lt + 1, gt);
    if (tag.includes('<')) return `'<' inside a tag at ${lt}`;
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      const open = stack.pop();
      if (open !== name) return `</${name}> at ${lt} closes <${open ?? 'nothing'}>`;
    } else {
      const m = NAME.exec(tag);
      if (!m) return `bad tag name at ${lt}`;
      const selfClosing = tag.endsWith('/');
      let rest = tag.slice(m[0].length, selfClosing ? -1 : undefined);
      const seen = new Set<string>();
      for (;;) {
        const ws = /^\s*/.exec(rest)![0];
        rest = rest.slice(ws.length);
        if (rest === '') break;
        if (ws === '') return `attributes not separated in <${m[0]}> at ${lt}`;
        const a = /^([A-Za-z_][\w.:-]*)\s*=\s*("([^"]*)"|'([^']*)')/.exec(rest);
        if (!a) return `bad attribute in <${m[0]}> at ${lt}: ${rest.slice(0, 20)}`;
        if (seen.has(a[1]!)) return `duplicate attribute ${a[1]} in <${m[0]}> at ${lt}`;
        seen.add(a[1]!);
        const v = a[3] ?? a[4]!;
        if (v.includes('<')) return `'<' in attribute ${a[1]} at ${lt}`;
        const badV = text(v, lt);
        if (badV) return badV;
        rest = rest.slice(a[0].length);
      }
      if (stack.length === 0) roots++;
      if (roots > 1) return `second root element at ${lt}`;
      if (!selfClosing) stack.push(m[0]);
    }
    i = gt + 1;
  }
  if (stack.length) return `unclosed <${stack[stack.length - 1]}>`;
  if (roots !== 1) return 'no root element';
  return null;
}
