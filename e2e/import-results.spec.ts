// Results from past the browser: a trace and a run result file (computed here with the Node engine, then given a
// foreign provenance and a model the browser cannot load, as an exported pyvene / nnsight script writes them) show in
// the same heatmap and next-token table as in-browser runs, with the provenance; a bad file is named and changes
// nothing; "Export as Python" downloads a script that writes such a file.
import { expect, test, type Download, type Page } from '@playwright/test';
import { causalTrace } from '../engine/experiments/causal-trace';
import { runExperiment } from '../engine/experiment/run-experiment';
import { validateExperiment } from '../engine/experiment/experiment-schema';
import { appUrl, heatmapValues, maxDiff, openBundled, screen, shot, watchErrors } from './support/app';
import { nodeModel } from './support/engine';

test.describe.configure({ timeout: 300_000 });

const PROMPT = 'The Eiffel Tower is located in the city of';

async function importFile(page: Page, name: string, data: unknown): Promise<void> {
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  await page.getByTestId('import-input').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(text) });
}

async function read(d: Download): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of (await d.createReadStream())!) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

test('imported trace and run results show in the usual views with their provenance; bad files are named', async ({ page }) => {
  const errors = watchErrors(page);
  const model = await nodeModel('gpt2-facts');
  const trace = await causalTrace(model, { prompt: PROMPT, subject: 'Eiffel Tower', samples: 3, window: 2, kinds: ['resid', 'mlp'] });
  const doc = validateExperiment({
    base: PROMPT, sources: ['The Colosseum is located in the city of'],
    config: { representations: [{ layer: 2, component: 'block_output', intervention_type: 'VanillaIntervention' }] },
    unit_locations: { 'sources->base': 4 },
  });
  if (!doc.ok) throw new Error(JSON.stringify(doc.errors));
  const run = await runExperiment(model, doc.value);

  await page.goto(appUrl());
  await openBundled(page, 'gpt2-facts');
  await screen(page, 'Causal trace');
  const samples = page.getByLabel('Samples', { exact: true });
  const liveSamples = await samples.inputValue();
  expect(liveSamples).not.toBe('3');
  // A trace "from a GPU": the file's grids, tokens and labels; no tokenizer of that model is needed.
  const pyvene = { engine: 'pyvene', versions: { pyvene: '0.1.8', torch: '2.13.0', transformers: '5.18.0' }, model: 'openai-community/gpt2-xl', device: 'cuda', remote: false };
  await importFile(page, 'trace-gpt2-xl.json', { ...trace, model: 'openai-community/gpt2-xl', provenance: pyvene });
  const banner = page.getByTestId('import-banner');
  await expect(banner).toContainText('Imported: pyvene 0.1.8 on cuda');
  await expect(page.getByTestId('import-model')).toHaveText('openai-community/gpt2-xl');
  await expect(banner).toContainText('trace-gpt2-xl.json');
  await expect(page.getByTestId('trace-prompt')).toHaveValue(trace.tokens.join(''));
  await expect(page.getByTestId('trace-subject')).toHaveValue('Eiffel Tower');
  await expect(page.getByTestId('heatmap-resid').locator('rect[data-value]')).toHaveCount(trace.tokens.length * model.info.dims.nLayers);
  expect(maxDiff(await heatmapValues(page, 'heatmap-resid'), trace.scores.resid!)).toBeLessThan(1e-6);
  expect(maxDiff(await heatmapValues(page, 'heatmap-mlp'), trace.scores.mlp!)).toBeLessThan(1e-6);
  await expect(page.getByTestId('heatmap-attn')).toHaveCount(0);
  await expect(page.getByTestId('high-score')).toHaveText(trace.high_score.toFixed(3));
  await expect(samples).toHaveValue('3');
  await shot(page, 'ui-import-trace');

  // A run "on NDIF": the next-token table from the file's top-k lists.
  const ndif = { engine: 'nnsight', versions: { nnsight: '0.8.1', torch: '2.13.0' }, model: 'EleutherAI/pythia-6.9b', device: 'ndif', remote: true };
  await importFile(page, 'run.json', { ...run, model: 'EleutherAI/pythia-6.9b', provenance: ndif });
  await expect(page.getByRole('heading', { name: 'Interventions' })).toBeVisible();
  await expect(banner).toContainText('Imported: nnsight 0.8.1 on NDIF (remote)');
  const table = page.getByTestId('next-token-table');
  const top = run.intervened.top_k[0]!;
  await expect(table.locator('tbody tr').first()).toHaveAttribute('data-token-id', String(top.id));
  await expect(table.locator('tbody tr').first().locator('[data-col="after"]')).toHaveText(top.prob.toFixed(3));
  await shot(page, 'ui-import-run');

  // Bad files: named with the JSON path; the imported run stays, and the trace screen still shows its import.
  await importFile(page, 'broken.json', { ...run, original: { top_k: [{ id: -1, token: 'x', prob: 0, logit: 0 }] } });
  await expect(page.getByTestId('import-problem')).toContainText('Could not import broken.json.');
  await expect(page.getByTestId('import-problem')).toContainText('original.top_k[0].id');
  await importFile(page, 'notes.json', 'not json at all');
  await expect(page.getByTestId('import-problem')).toContainText('not JSON');
  await expect(table.locator('tbody tr').first()).toHaveAttribute('data-token-id', String(top.id));
  await shot(page, 'ui-import-problem');
  await page.getByTestId('import-problem').getByRole('button', { name: 'Dismiss' }).click();

  // Back to live runs, and the live run works.
  await page.getByTestId('back-to-live').click();
  await expect(banner).toHaveCount(0);
  await expect(table).toHaveCount(0);
  await page.getByTestId('intervention-run').click();
  await expect(table).toBeVisible();
  await expect(banner).toHaveCount(0);
  await screen(page, 'Causal trace');
  await expect(banner).toContainText('Imported: pyvene 0.1.8 on cuda');
  // Leaving it brings back the settings the import covered (they were not edited since).
  await page.getByTestId('back-to-live').click();
  await expect(page.getByTestId('trace-heatmaps')).toHaveCount(0);
  await expect(samples).toHaveValue(liveSamples);

  // A sweep result dropped on the page opens the sweep screen (a missing cell is drawn empty).
  const sweep = {
    tokens: ['The', ' cat', ' sat'], layers: 4, component: 'mlp_output', metric: 'prob', answer: { id: 7, text: ' down' },
    base_answer: { id: 8, text: ' up' }, low_score: 0.1, high_score: 0.9, values: [[0.1, 0.2, 0.3, 0.4], [0.5, null, 0.7, 0.8], [0.2, 0.2, 0.2, 0.9]],
    provenance: pyvene,
  };
  const drop = await page.evaluateHandle((text) => {
    const dt = new DataTransfer();
    dt.items.add(new File([text], 'sweep.json', { type: 'application/json' }));
    return dt;
  }, JSON.stringify(sweep));
  await page.locator('main').dispatchEvent('drop', { dataTransfer: drop });
  await expect(page.getByTestId('heatmap-sweep').locator('rect[data-value]')).toHaveCount(12);
  const cells = await heatmapValues(page, 'heatmap-sweep');
  expect(cells[2]).toEqual([0.2, 0.2, 0.2, 0.9]);
  expect(cells[1]![1]).toBeNaN();
  await expect(banner).toContainText('sweep.json');
  await expect(page.getByTestId('sweep-base')).toHaveValue('The cat sat');
  // Dropped on the Model screen's model drop zone, a result file is imported too, not opened as a model.
  await screen(page, 'Model');
  await page.getByTestId('dropzone').dispatchEvent('drop', { dataTransfer: drop });
  await expect(page.getByTestId('heatmap-sweep').locator('rect[data-value]')).toHaveCount(12);
  await expect(page.getByTestId('model-chip')).toContainText('gpt2-facts');

  // Export as Python: the script writes Patchbay's run result with provenance, and says how to run it.
  await screen(page, 'Interventions');
  const download = page.waitForEvent('download');
  await page.getByTestId('export-python').click();
  const script = await read(await download);
  expect(script).toContain('import pyvene as pv');
  expect(script).toContain('ap.add_argument("--out", required=True');
  expect(script).toContain('"provenance": provenance(PYVENE_VERSION)');
  await expect(page.getByTestId('export-python-command')).toContainText('python experiment-pyvene.py --model gpt2-facts-torch --out result.json');
  await expect(page.getByTestId('export-python-command')).toContainText('tools/scaleout/onnx_to_torch.py public/models/gpt2-facts');
  await shot(page, 'ui-export-python');
  expect(errors).toEqual([]);
});
