// The experiment slice: the one document a share link carries (model, view, trace, intervention, sweep, generate,
// classroom switches). Only this slice goes into the URL. Actions are plain setters; runs live in the run slice.
import { defaultExperiment, type ClassroomSettings, type Experiment, type GenerateSettings, type ModelRef, type ProbeSettings, type AttributionSettings, type SweepSettings, type TraceSettings, type View } from '../link/schema';
import type { SliceCreator, Store } from './types';

export interface ExperimentSlice {
  experiment: Experiment;
  /** Replaces the whole experiment (a link was opened, a preset chosen). */
  setExperiment: (e: Experiment) => void;
  setView: (v: View) => void;
  setModelRef: (m: ModelRef) => void;
  patchTrace: (p: Partial<TraceSettings>) => void;
  patchSweep: (p: Partial<SweepSettings>) => void;
  patchGenerate: (p: Partial<GenerateSettings>) => void;
  patchProbe: (p: Partial<ProbeSettings>) => void;
  patchAttribution: (p: Partial<AttributionSettings>) => void;
  /** The pyvene-style document the intervention builder edits. */
  setIntervention: (doc: Record<string, unknown>) => void;
  patchClassroom: (p: Partial<ClassroomSettings>) => void;
}

export const createExperimentSlice: SliceCreator<ExperimentSlice> = (set) => ({
  experiment: defaultExperiment(),
  setExperiment: (experiment) => set({ experiment }),
  setView: (view) => set((s) => ({ experiment: { ...s.experiment, view } })),
  setModelRef: (model) => set((s) => ({ experiment: { ...s.experiment, model } })),
  patchTrace: (p) => set((s) => ({ experiment: { ...s.experiment, trace: { ...s.experiment.trace, ...p } } })),
  patchSweep: (p) => set((s) => ({ experiment: { ...s.experiment, sweep: { ...s.experiment.sweep, ...p } } })),
  patchGenerate: (p) => set((s) => ({ experiment: { ...s.experiment, generate: { ...s.experiment.generate, ...p } } })),
  patchProbe: (p) => set((s) => ({ experiment: { ...s.experiment, probe: { ...s.experiment.probe, ...p } } })),
  patchAttribution: (p) => set((s) => ({ experiment: { ...s.experiment, attribution: { ...s.experiment.attribution, ...p } } })),
  setIntervention: (intervention) => set((s) => ({ experiment: { ...s.experiment, intervention } })),
  patchClassroom: (p) => set((s) => ({ experiment: { ...s.experiment, classroom: { ...s.experiment.classroom, ...p } } })),
});

export const selectExperiment = (s: Store) => s.experiment;
export const selectView = (s: Store) => s.experiment.view;
export const selectModelRef = (s: Store) => s.experiment.model;
export const selectTrace = (s: Store) => s.experiment.trace;
export const selectSweep = (s: Store) => s.experiment.sweep;
export const selectGenerate = (s: Store) => s.experiment.generate;
export const selectIntervention = (s: Store) => s.experiment.intervention;
export const selectProbe = (s: Store) => s.experiment.probe;
export const selectAttributionSettings = (s: Store) => s.experiment.attribution;
export const selectClassroom = (s: Store) => s.experiment.classroom;
