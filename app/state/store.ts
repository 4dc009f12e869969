// The app's one zustand store, built from slices split by concern: experiment (shared in the URL), run (computed
// results and their progress; generation has its own), view (local UI state). Components read through the selectors each
// slice exports, e.g. useStore(selectTrace).
import { create } from 'zustand';
import { createExperimentSlice } from './experiment-slice';
import { createRunSlice } from './run-slice';
import { createViewSlice } from './view-slice';
import { createGenerateSlice } from './generate-slice';
import { createImportSlice } from './import-slice';
import { createTrainingSlice } from './training-slice';
import type { Store } from './types';

export const useStore = create<Store>()((...a) => ({
  ...createExperimentSlice(...a),
  ...createRunSlice(...a),
  ...createViewSlice(...a),
  ...createGenerateSlice(...a),
  ...createTrainingSlice(...a),
  ...createImportSlice(...a),
}));

export type { Store };
