// JSON for reading: like JSON.stringify(v, null, 2), but arrays and objects that fit on one line stay on one line,
// so pyvene's deeply nested unit_locations read as [[[[6]]], [[[6]]]] rather than twenty lines. Structures nested
// deeper than MAX_PRETTY_DEPTH print on one line (a hostile document may nest thousands of levels: no recursion then).

/** Below this many levels of indentation, the rest of a value is printed flat (iteratively). */
export const MAX_PRETTY_DEPTH = 24;

export function compactJson(value: unknown, width = 64, indent = ''): string {
  let flat: string | undefined;
  try {
    flat = JSON.stringify(value);
  } catch {
    return '"(this value is nested too deeply to show)"';
  }
  if (flat === undefined) return 'null';
  const tooDeep = indent.length >= 2 * MAX_PRETTY_DEPTH;
  if (tooDeep || flat.length + indent.length <= width || typeof value !== 'object' || value === null) return spaced(flat, value);
  const inner = `${indent}  `;
  if (Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object')) {
    // A long list of numbers or strings: as many per line as fit.
    const lines: string[] = [];
    let line = '';
    for (const v of value) {
      const item = JSON.stringify(v);
      if (line && inner.length + line.length + item.length + 2 > width) { lines.push(line); line = ''; }
      line += (line ? ', ' : '') + item;
    }
    if (line) lines.push(line);
    return `[\n${lines.map((l) => inner + l).join(',\n')}\n${indent}]`;
  }
  if (Array.isArray(value)) {
    return `[\n${value.map((v) => inner + compactJson(v, width, inner)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${compactJson(v, width, inner)}`).join(',\n')}\n${indent}}`;
}

/** One-line JSON with a space after commas and colons (only outside strings). */
function spaced(flat: string, value: unknown): string {
  if (typeof value !== 'object' || value === null) return flat;
  let out = '';
  let inString = false;
  for (let i = 0; i < flat.length; i++) {
    const c = flat[i]!;
    out += c;
    if (inString && c === '\\') out += flat[++i] ?? '';
    else if (c === '"') inString = !inString;
    else if (!inString && (c === ',' || c === ':')) out += ' ';
  }
  return out;
}
