// Coded errors: every failure the user can cause carries a stable code (tests trigger them by code) and a message
// that says what was found and what to do. Errors cross the worker boundary as plain objects ({ code, message }).

export type ErrorCode =
  | 'MODEL_NOT_ONNX' | 'MODEL_NOT_FOUND' | 'MODEL_FAMILY_UNKNOWN' | 'MODEL_LAYOUT_UNSUPPORTED' | 'MODEL_FETCH_FAILED' | 'MODEL_TOO_LARGE'
  | 'SITES_NOT_FOUND' | 'SITE_UNKNOWN' | 'SITE_UNAVAILABLE' | 'INPUT_SHAPE_FIXED' | 'LAYER_OUT_OF_RANGE' | 'UNIT_INVALID' | 'LOCATION_OUT_OF_RANGE'
  | 'EXPERIMENT_INVALID' | 'INTERVENTION_UNKNOWN' | 'INTERVENTION_INVALID' | 'SOURCE_MISSING' | 'SHAPE_MISMATCH'
  | 'TOKENIZER_MISSING' | 'TOKENIZER_MISMATCH' | 'INPUT_INVALID' | 'RUNTIME_FAILED' | 'ABORTED' | 'TRACE_INVALID' | 'CONFIG_UNSUPPORTED'
  | 'GRADIENT_UNSUPPORTED' | 'TRAINING_INVALID' | 'PROMPT_TOO_LONG' | 'OUTPUT_PATH_INVALID' | 'RESULT_INVALID';

export class PatchbayError extends Error {
  readonly code: ErrorCode;
  /** JSON path of the offending field, when the error is about an input document. */
  readonly path?: string;
  constructor(code: ErrorCode, message: string, path?: string) {
    super(path ? `${path}: ${message}` : message);
    this.name = 'PatchbayError';
    this.code = code;
    this.path = path;
  }
}

export function isPatchbayError(e: unknown): e is PatchbayError {
  return e instanceof PatchbayError;
}

export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new PatchbayError('ABORTED', 'the operation was cancelled');
}
