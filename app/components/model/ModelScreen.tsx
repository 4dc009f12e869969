// The Model screen: where a model comes from (bundled, the Hugging Face hub or a URL, local files) on the left;
// its download progress, facts and execution provider on the right.
import { useStore } from '../../state/store';
import { selectClassroom } from '../../state/experiment-slice';
import { Explainer } from '../common/ui';
import { BundledModels, HubLoader, LocalFiles } from './ModelSources';
import { ModelStatus } from './ModelStatus';
import { ApprovedSites } from './ApprovedSites';
import { QuickStart } from './QuickStart';

export function ModelScreen() {
  const classroom = useStore(selectClassroom);
  return (
    <div className="screen screen-model">
      <div className="screen-intro">
        <h1>Model</h1>
        <p className="lede">Open a language model to experiment on. Everything runs in this browser tab: weights never leave your machine.</p>
      </div>
      <div className="columns columns-model">
        <div className="stack">
          <QuickStart />
          <BundledModels />
          <HubLoader />
          <LocalFiles />
        </div>
        <div className="stack">
          <ModelStatus />
          <ApprovedSites />
          <Explainer open={classroom.explain}>
            <p>
              Patchbay reads a model exported to <strong>ONNX</strong> (the files transformers.js uses), finds every hook site in
              its graph (the residual stream, attention and MLP outputs of each layer, per-head values) and rewrites the graph
              so activations can be read and replaced while it runs.
            </p>
            <p>GPT-2 and GPT-NeoX (Pythia) families are supported, and GRU networks for time-step interventions. Small models make the experiments feel instant.</p>
          </Explainer>
        </div>
      </div>
    </div>
  );
}
