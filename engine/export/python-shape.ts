// A cheap, Python-free look at a generated script's shape for the export tests: indentation in steps of four spaces
// after a line ending in ':', and brackets that balance outside strings and comments. Not a parser; it catches the
// slips a template edit makes (a lost bracket, a mis-indented line). Stage: tests of results (export).

/** Problems found, each naming its line; empty when the script looks well formed. */
export function pythonShapeProblems(script: string): string[] {
  const problems: string[] = [];
  const stack: { ch: string; line: number }[] = [];
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  let expectIndent = false;
  let prevIndent = 0;
  const strings = { triple: null as string | null };
  script.split('\n').forEach((raw, i) => {
    const line = i + 1;
    const inString = strings.triple !== null;
    const code = stripStringsAndComments(raw, strings);
    if (inString || code.trim() === '') return;
    const indent = raw.length - raw.trimStart().length;
    if (raw.includes('\t')) problems.push(`line ${line}: a tab`);
    if (stack.length === 0) {
      if (indent % 4 !== 0) problems.push(`line ${line}: indented by ${indent} spaces`);
      if (expectIndent && indent <= prevIndent) problems.push(`line ${line}: expected an indented block`);
      if (!expectIndent && indent > prevIndent) problems.push(`line ${line}: unexpected indent`);
      prevIndent = indent;
    }
    for (const ch of code) {
      if ('([{'.includes(ch)) stack.push({ ch, line });
      else if (pairs[ch]) {
        const open = stack.pop();
        if (!open || open.ch !== pairs[ch]) problems.push(`line ${line}: "${ch}" closes ${open ? `"${open.ch}" of line ${open.line}` : 'nothing'}`);
      }
    }
    if (stack.length === 0) expectIndent = code.trimEnd().endsWith(':');
  });
  for (const open of stack) problems.push(`line ${open.line}: "${open.ch}" is never closed`);
  return problems;
}

/** The line's code outside strings and comments; `state.triple` carries a triple-quoted string across lines. */
function stripStringsAndComments(line: string, state: { triple: string | null }): string {
  let out = '';
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (state.triple) {
      if (line.startsWith(state.triple, i)) {
        i += 2;
        state.triple = null;
      }
      continue;
    }
    if (!quote && (line.startsWith('"""', i) || line.startsWith("'''", i))) {
      state.triple = line.slice(i, i + 3);
      i += 2;
      continue;
    }
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = null;
      continue;
    }
    if (ch === '#') break;
    if (ch === '"' || ch === "'") quote = ch;
    else out += ch;
  }
  return out;
}
