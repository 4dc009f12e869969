// What a graph says about how it was made: exporter, number format, cache layout, and its inputs and outputs with
// their declared shapes. Shown by `patchbay inspect` and the model screen; the input shapes also tell whether the
// export fixed batch and length. Stage: model.
import type { GraphIndex } from '../onnx/graph-index.js';
import type { ModelProto, ValueInfo } from '../onnx/onnx-schema.js';
import { DataType } from '../onnx/onnx-schema.js';

export interface TensorDecl {
  name: string;
  type: string;
  /** Declared dims: numbers where fixed, names where symbolic, '?' where absent. */
  dims: (number | string)[];
}

export interface GraphFacts {
  exporter: string;
  /** float32 or float16 activations, with the weight quantization if any. */
  dtype: string;
  activationType: 'float32' | 'float16';
  layout: string;
  opset: number;
  inputs: TensorDecl[];
  outputs: TensorDecl[];
  /** [batch, tokens] when the export fixed both (e.g. the dynamo exporter without dynamic shapes). */
  fixedInputShape?: [number, number];
}

const TYPE_NAMES: Record<number, string> = {
  [DataType.FLOAT]: 'float32', [DataType.FLOAT16]: 'float16', [DataType.INT64]: 'int64', [DataType.INT32]: 'int32',
  [DataType.BOOL]: 'bool', [DataType.DOUBLE]: 'float64', [DataType.UINT8]: 'uint8', [DataType.INT8]: 'int8',
};

export function graphFacts(proto: ModelProto, index: GraphIndex, lifted: boolean): GraphFacts {
  const inputs = proto.graph.input.filter((i) => index.graphInputs.has(i.name)).map(decl);
  const outputs = proto.graph.output.map(decl);
  const logits = outputs.find((o) => o.name === 'logits') ?? outputs[0];
  const activationType = logits?.type === 'float16' ? 'float16' : 'float32';
  const ops = new Set(index.graph.node.map((n) => n.op_type));
  const quant = ops.has('MatMulNBits') ? ', 4-bit weights (MatMulNBits)'
    : ops.has('MatMulInteger') || ops.has('DynamicQuantizeLinear') ? ', 8-bit weights (dynamic quantization)'
      : ops.has('DequantizeLinear') ? ', quantized weights (DequantizeLinear)' : '';
  const ids = inputs.find((i) => i.name === 'input_ids') ?? inputs[0];
  const fixed = ids && ids.dims.length === 2 && ids.dims.every((d) => typeof d === 'number') ? ids.dims as [number, number] : undefined;
  const hasPast = inputs.some((i) => /past/.test(i.name));
  const layout = lifted ? 'legacy merged decoder (no-cache branch lifted)' : hasPast ? 'key/value cache (past_key_values → present)' : 'no key/value cache';
  return {
    exporter: exporterOf(proto, index), dtype: `${activationType}${quant}`, activationType, layout,
    opset: Number(proto.opset_import.find((o) => !o.domain)?.version ?? 0), inputs, outputs, ...(fixed ? { fixedInputShape: fixed } : {}),
  };
}

function exporterOf(proto: ModelProto, index: GraphIndex): string {
  const producer = `${proto.producer_name ?? ''} ${(proto as { producer_version?: string }).producer_version ?? ''}`.trim();
  const nodes = index.graph.node;
  const fused = nodes.some((n) => n.domain === 'com.microsoft' && /LayerNormalization|Gelu|Attention|Rotary/.test(n.op_type));
  if (/onnxruntime/i.test(producer) || fused) return `onnxruntime transformer optimizer (${producer || 'fused com.microsoft ops'})`;
  if (nodes.length > 0 && nodes.filter((n) => n.name.startsWith('node_')).length > nodes.length / 2) return `torch.onnx dynamo exporter (${producer || 'pytorch'})`;
  if (nodes.some((n) => n.name.startsWith('/'))) return `torch.onnx TorchScript exporter (${producer || 'pytorch'})`;
  return producer || 'unknown exporter';
}

function decl(v: ValueInfo): TensorDecl {
  const t = v.type?.tensor_type;
  const dims = (t?.shape?.dim ?? []).map((d) => (d.dim_param ? d.dim_param : d.dim_value !== undefined && Number(d.dim_value) > 0 ? Number(d.dim_value) : '?'));
  return { name: v.name, type: TYPE_NAMES[t?.elem_type ?? 0] ?? `type ${t?.elem_type ?? '?'}`, dims };
}
