// The page never loads onnxruntime: the engine's runtime lives in the worker (app/workers/engine.worker.ts), and a
// value import from the page into a module that reaches it put 400 KB of onnxruntime-web on the page's start.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(import.meta.dirname, '..');

/** The modules a file imports for their values (type-only imports and re-exports are erased by the build). */
function valueImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const out: string[] = [];
  for (const s of source.statements) {
    if ((ts.isImportDeclaration(s) || ts.isExportDeclaration(s)) && s.moduleSpecifier && ts.isStringLiteral(s.moduleSpecifier)) {
      if (ts.isImportDeclaration(s)) {
        const c = s.importClause;
        const named = c?.namedBindings && ts.isNamedImports(c.namedBindings) ? c.namedBindings.elements : undefined;
        if (c?.isTypeOnly || (c && !c.name && named && named.length > 0 && named.every((e) => e.isTypeOnly))) continue;
      } else if (s.isTypeOnly || (s.exportClause && ts.isNamedExports(s.exportClause) && s.exportClause.elements.every((e) => e.isTypeOnly))) continue;
      out.push(s.moduleSpecifier.text);
    }
  }
  return out;
}

function resolveLocal(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = join(dirname(from), spec).replace(/\.js$/, '');
  return ['.ts', '.tsx', '/index.ts'].map((e) => base + e).find(existsSync) ?? null;
}

/** Every package the page's start reaches, with the chain of files that brings it in. */
function pagePackages(): Map<string, string[]> {
  const start = join(ROOT, 'app/main.tsx');
  const parent = new Map<string, string | null>([[start, null]]);
  const packages = new Map<string, string[]>();
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const spec of valueImports(file)) {
      const local = resolveLocal(file, spec);
      if (!local) {
        if (!spec.startsWith('.') && !packages.has(spec)) {
          const chain: string[] = [];
          for (let f: string | null = file; f; f = parent.get(f) ?? null) chain.push(relative(ROOT, f));
          packages.set(spec, chain);
        }
        continue;
      }
      if (parent.has(local) || local.endsWith('engine.worker.ts')) continue;
      parent.set(local, file);
      queue.push(local);
    }
  }
  return packages;
}

describe("the page's imports", () => {
  it('never reach onnxruntime (it runs in the engine worker only)', () => {
    const found = [...pagePackages()].filter(([p]) => p.startsWith('onnxruntime'));
    expect(found.map(([p, chain]) => `${p} ← ${chain.join(' ← ')}`)).toEqual([]);
  });

  it('do reach the packages the page does use (the walk follows imports)', () => {
    const packages = pagePackages();
    expect(packages.has('react')).toBe(true);
    expect(packages.has('zustand')).toBe(true);
  });
});
