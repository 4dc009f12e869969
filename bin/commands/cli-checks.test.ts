// The CLI refuses bad arguments before doing any work, with a coded one-line error: malformed --memory-mb, output
// files in missing folders (--out, --save-noise), a corrupted run beyond the memory budget (--samples 100000), a
// prompt longer than the model's context. The checks run before the model opens or the trace starts.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkOutputPath } from './output-path.js';
import { traceOptions } from './trace.js';
import { patchbay } from '../test-support.js';

const FLAGS = { model: 'gpt2-facts', samples: '10', noise: 's3', noiseSubject: [], window: '10', kinds: 'resid', seed: '1', strategy: 'auto', threads: '1', runtime: 'native' };
const PROMPT = ['--model', 'gpt2-facts', '--prompt', 'The Eiffel Tower is located in the city of', '--subject', 'Eiffel Tower'];

describe('patchbay argument and path checks', () => {
  const missing = join(mkdtempSync(join(tmpdir(), 'patchbay-cli-')), 'no-such-folder');

  it.each([['abc'], ['-5'], ['0'], [''], ['1e9x']])('trace --memory-mb %j is refused', (mb) => {
    expect(() => traceOptions({ ...FLAGS, memoryMb: mb })).toThrow(`--memory-mb must be a positive number of megabytes; got "${mb}"`);
    expect(traceOptions({ ...FLAGS, memoryMb: '512' }).memoryBudgetMB).toBe(512);
  });

  it('output paths: a missing folder, a folder, and an empty name are refused; a new file in an existing folder is fine', () => {
    expect(() => checkOutputPath(join(missing, 'x.json'), '--save-noise')).toThrow(`--save-noise: the folder ${missing} does not exist`);
    expect(() => checkOutputPath(tmpdir(), '--out')).toThrow('is a folder: give a file name inside it');
    expect(() => checkOutputPath(' ', '--out')).toThrow('is empty');
    expect(() => checkOutputPath(join(tmpdir(), 'patchbay-new-file.json'), '--out')).not.toThrow();
  });

  it('trace --out into a missing folder fails before the model opens (the real CLI)', async () => {
    const r = await patchbay(['trace', ...PROMPT, '--out', join(missing, 'x.json')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`patchbay: OUTPUT_PATH_INVALID: --out: the folder ${missing} does not exist: create it first (mkdir -p ${missing})\n`);
  });

  it('run --out into a missing folder fails before the document is read', async () => {
    const r = await patchbay(['run', join(missing, 'doc.json'), '--out', join(missing, 'r.json')]);
    expect(r.stderr).toMatch(/^patchbay: OUTPUT_PATH_INVALID: --out: the folder .* does not exist/);
  });

  it('trace --samples 100000 is refused up front with the number that fits the budget', async () => {
    const r = await patchbay(['trace', ...PROMPT, '--samples', '100000']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^patchbay: TRACE_INVALID: samples: 100000 samples of 13 tokens need about 8\.7 GB .* use at most 2880 samples/);
  });

  it('a prompt longer than the context is refused with PROMPT_TOO_LONG on one line', async () => {
    const ids = Array.from({ length: 300 }, (_, i) => 10 + (i % 40)).join(',');
    const r = await patchbay(['trace', '--model', 'gpt2-facts', '--input-ids', ids, '--subject-range', '0:2']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('patchbay: PROMPT_TOO_LONG: inputIds: the prompt is 300 tokens long; this model reads at most 128 tokens (its context length): shorten it by 172 tokens\n');
  });
});
