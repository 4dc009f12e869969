// The whole store's type, and the slice-creator type each slice file uses (zustand's slices pattern).
import type { StateCreator } from 'zustand';
import type { ExperimentSlice } from './experiment-slice';
import type { RunSlice } from './run-slice';
import type { ViewSlice } from './view-slice';
import type { GenerateSlice } from './generate-slice';
import type { TrainingSlice } from './training-slice';
import type { ImportSlice } from './import-slice';

export type Store = ExperimentSlice & RunSlice & ViewSlice & GenerateSlice & TrainingSlice & ImportSlice;
export type SliceCreator<T> = StateCreator<Store, [], [], T>;
