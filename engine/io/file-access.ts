// Reading a model's files from somewhere (a folder on disk, a web server, the Hugging Face hub, dropped Files),
// behind one small interface so the loader does not care where. Stage: model bytes. Progress is a union of plain
// events, summed per file by the caller.

export type LoadProgress =
  | { status: 'initiate'; file: string; total?: number }
  | { status: 'progress'; file: string; loaded: number; total?: number }
  | { status: 'done'; file: string; bytes: number };

export interface FileAccess {
  /** A short description for error messages ("folder /x", "https://…"). */
  describe: string;
  /** The file's bytes, or undefined if it does not exist. Throws on other failures. */
  read(path: string, options?: { onProgress?: (p: LoadProgress) => void; signal?: AbortSignal }): Promise<Uint8Array | undefined>;
}

/** Files the user dropped or picked (browser), by name; folders flattened to their relative paths. */
export function memoryAccess(files: Map<string, Uint8Array>, describe = 'dropped files'): FileAccess {
  return {
    describe,
    async read(path) {
      return files.get(path) ?? files.get(path.split('/').pop()!);
    },
  };
}
