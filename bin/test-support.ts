// For the CLI tests: runs `node bin/patchbay.js ARGS` from the repository root, or `main(ARGS)` in this process, and
// returns exit code and output (a non-zero exit is a result to assert on, not a thrown error).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { vi } from 'vitest';
import { REPO_ROOT } from '../engine/load/node-resolver.js';
import { main } from './cli.js';

const run = promisify(execFile);

export interface CliResult { code: number; stdout: string; stderr: string }

export async function patchbay(args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run('node', ['bin/patchbay.js', ...args], { cwd: REPO_ROOT, maxBuffer: 1 << 26 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** The same in this process (no Node start-up): stdout and stderr captured while `main` runs. */
export async function patchbayInProcess(args: string[]): Promise<CliResult> {
  const captured = { stdout: '', stderr: '' };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((s) => { captured.stdout += String(s); return true; });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s) => { captured.stderr += String(s); return true; });
  try {
    return { code: await main(args), ...captured };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}
