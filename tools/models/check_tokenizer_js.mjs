// Check that each bundled tokenizer.json loads in @huggingface/tokenizers (the JS library the app uses) and
// encodes every reference prompt to the same ids as the Python `tokenizers` library did.
// usage: node tools/models/check_tokenizer_js.mjs gpt2-facts pythia-facts
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Tokenizer } from "@huggingface/tokenizers";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
let failed = 0;
for (const id of process.argv.slice(2)) {
  const dir = path.join(root, "public", "models", id);
  const read = (f) => JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"));
  const tok = new Tokenizer(read("tokenizer.json"), read("tokenizer_config.json"));
  const ref = read("reference.json");
  const texts = [...ref.prompts.map((p) => [p.text, p.input_ids]), ...ref.full.texts.map((t, i) => [t, ref.full.input_ids[i]])];
  let bad = 0;
  for (const [text, ids] of texts) {
    const got = tok.encode(text).ids;
    if (JSON.stringify(got) !== JSON.stringify(ids)) {
      bad++;
      console.log(`  ${id}: "${text}" -> ${JSON.stringify(got)}, expected ${JSON.stringify(ids)}`);
    }
    if (tok.decode(got) !== text) { bad++; console.log(`  ${id}: decode("${text}") = "${tok.decode(got)}"`); }
  }
  console.log(`${id}: tokenizer.json in @huggingface/tokenizers: ${texts.length} prompts, ${bad} mismatches`);
  failed += bad;
}
process.exit(failed ? 1 : 0);
