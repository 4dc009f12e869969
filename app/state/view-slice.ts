// The view slice: how the app is being looked at, never shared in a link: the builder's selection, a damaged-link
// message, a pending "download from this origin?" question, the view a link asked to run once its model is ready.
import type { ModelRef, View } from '../link/schema';
import { approve } from './approvals';
import type { SliceCreator, Store } from './types';

export interface Approval { origin: string; ref: ModelRef }

export interface BuilderSelection {
  /** Index of the representation being edited, or null. */
  rep: number | null;
  showHeads: boolean;
}

export interface ViewSlice {
  linkError: string | null;
  approval: Approval | null;
  autorun: View | null;
  builder: BuilderSelection;
  setLinkError: (m: string | null) => void;
  askApproval: (origin: string, ref: ModelRef) => void;
  /** The user's answer: allow once, allow always, or not. */
  answerApproval: (answer: 'once' | 'always' | 'no') => void;
  setAutorun: (v: View | null) => void;
  selectRep: (rep: number | null) => void;
  setShowHeads: (v: boolean) => void;
}

export const createViewSlice: SliceCreator<ViewSlice> = (set, get) => ({
  linkError: null,
  approval: null,
  autorun: null,
  builder: { rep: 0, showHeads: false },
  setLinkError: (linkError) => set({ linkError }),
  askApproval: (origin, ref) => set({ approval: { origin, ref } }),
  answerApproval: (answer) => {
    const a = get().approval;
    set({ approval: null });
    if (!a) return;
    if (answer === 'no') {
      set({ autorun: null });
      return;
    }
    approve(a.origin, answer === 'always');
    void get().openModel(a.ref);
  },
  setAutorun: (autorun) => set({ autorun }),
  selectRep: (rep) => set((s) => ({ builder: { ...s.builder, rep } })),
  setShowHeads: (showHeads) => set((s) => ({ builder: { ...s.builder, showHeads } })),
});

export const selectLinkError = (s: Store) => s.linkError;
export const selectApproval = (s: Store) => s.approval;
export const selectBuilder = (s: Store) => s.builder;
