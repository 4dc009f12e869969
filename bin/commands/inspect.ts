// `patchbay inspect MODEL [--json]`: what Patchbay reads from a model — family and how it was told, dimensions, the
// graph's inputs and outputs, exporter / number format / cache layout, and the site table (every component at every
// layer: found, or unavailable and why).
import type { Command } from 'commander';
import { nodeOpenOptions, nodeResolver } from '../../engine/load/node-resolver.js';
import { openModel } from '../../engine/load/open-model.js';
import type { ModelInfo } from '../../engine/load/load-model.js';
import type { ModelVariant } from '../../engine/model/model-ref.js';
import { siteAvailability } from '../../engine/sites/availability.js';

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('show what Patchbay reads from a model: family, dimensions, inputs/outputs, exporter, and every hook site')
    .argument('<model>', 'bundled id, folder, .onnx file, URL or Hugging Face repo id')
    .option('--variant <v>', 'fp32, quantized, int8, uint8, q4, q4f16, bnb4 or fp16', 'fp32')
    .option('--json', 'print JSON')
    .action(async (ref: string, opts: { variant: string; json?: boolean }) => {
      const model = await openModel(ref, nodeResolver, { ...nodeOpenOptions(), variant: opts.variant as ModelVariant });
      process.stdout.write(opts.json ? `${JSON.stringify(inspection(model.info), null, 2)}\n` : formatInspection(model.info));
    });
}

export function inspection(info: ModelInfo) {
  return {
    name: info.name, family: info.family, family_evidence: info.familyEvidence, dims: info.dims, graph: info.graph,
    sites: Object.fromEntries(siteAvailability(info).map((c) => [c.component,
      c.layers.map((reason, layer) => (reason === null ? { layer, available: true } : { layer, available: false, reason }))])),
  };
}

function formatInspection(info: ModelInfo): string {
  const d = info.dims;
  const g = info.graph;
  const shape = (t: { name: string; type: string; dims: (number | string)[] }) => `${t.name} ${t.type}[${t.dims.join(', ')}]`;
  const lines = [
    `${info.name}`,
    `  family      ${info.family} (from ${info.familyEvidence})`,
    `  dimensions  ${d.nLayers} layers, d_model ${d.dModel}, ${d.nHeads} heads × ${d.dHead}, MLP ${d.dMlp}, vocabulary ${d.vocabSize}, context ${d.contextLength ?? 'unknown'}`,
    `  exporter    ${g.exporter}, opset ${g.opset}`,
    `  numbers     ${g.dtype}`,
    `  layout      ${g.layout}${g.fixedInputShape ? `; fixed input shape [${g.fixedInputShape.join(', ')}]` : ''}`,
    `  inputs      ${g.inputs.map(shape).join('; ')}`,
    `  outputs     ${g.outputs.slice(0, 3).map(shape).join('; ')}${g.outputs.length > 3 ? `; … (${g.outputs.length} in all)` : ''}`,
    '',
    `  sites (✓ found, · unavailable)   layers 0–${d.nLayers - 1}`,
  ];
  const reasons = new Map<string, number>();
  for (const c of siteAvailability(info)) {
    const marks = c.layers.map((r) => {
      if (r === null) return '✓';
      if (!reasons.has(r)) reasons.set(r, reasons.size + 1);
      return String(reasons.get(r));
    });
    lines.push(`  ${c.component.padEnd(28)} ${marks.join(' ')}`);
  }
  if (reasons.size > 0) {
    lines.push('', '  unavailable (numbers in the table):');
    for (const [r, i] of reasons) lines.push(`  ${i}. ${r}`);
  }
  return `${lines.join('\n')}\n`;
}
