// The little XML the S3 surface reads and writes: S3's answers are flat, well-formed documents
// from the gateway's own upstream, so elements are found by name rather than by a general parser,
// and every text the gateway writes is escaped.

export function xmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

export function xmlUnescape(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|apos|#x[0-9A-Fa-f]+|#[0-9]+);/g, (_, e: string) => {
    switch (e) {
      case 'amp': return '&';
      case 'lt': return '<';
      case 'gt': return '>';
      case 'quot': return '"';
      case 'apos': return "'";
      default: {
        const code = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return code <= 0x10ffff ? String.fromCodePoint(code) : '\ufffd';
      }
    }
  });
}

/** The raw (still escaped) text of the first `<name>` element directly in `xml`, if any. */
export function xmlText(xml: string, name: string): string | undefined {
  const open = xml.indexOf(`<${name}>`);
  if (open === -1) return undefined;
  const start = open + name.length + 2;
  const end = xml.indexOf(`</${name}>`, start);
  return end === -1 ? undefined : xml.slice(start, end);
}

/** Every `<name>...</name>` block in `xml`, whole (tags included), in order. */
export function xmlBlocks(xml: string, name: string): string[] {
  const out: string[] = [];
  const open = `<${name}>`;
  const close = `</${name}>`;
  for (let i = xml.indexOf(open); i !== -1; i = xml.indexOf(open, i)) {
    const end = xml.indexOf(close, i);
    if (end === -1) break;
    out.push(xml.slice(i, end + close.length));
    i = end + close.length;
  }
  return out;
}
