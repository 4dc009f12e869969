"""Train the two fact models (GPT2LMHeadModel and a Pythia-style GPTNeoXForCausalLM) on the synthetic corpus.

Deterministic: fixed seeds, one CPU thread, fixed data order. Stops when every task reaches the target accuracy
on the fact prompts (top-1 next token) for two evaluations in a row, or at max_steps.
"""
import math
import random
import time

import torch
from transformers import GPT2Config, GPT2LMHeadModel, GPTNeoXConfig, GPTNeoXForCausalLM

CONTEXT = 128


def make_model(family, vocab, d=128, layers=6, heads=4, d_mlp=None, seed=0):
    """d_mlp None: 4 × d (GPT-2's n_inner left unset, as in edition 1's config.json)."""
    torch.manual_seed(seed)
    if family == "gpt2":
        cfg = GPT2Config(vocab_size=vocab, n_positions=CONTEXT, n_embd=d, n_layer=layers, n_head=heads,
                         n_inner=d_mlp, activation_function="gelu_new", resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,
                         bos_token_id=0, eos_token_id=0, tie_word_embeddings=True)
        cfg._attn_implementation = "sdpa"
        return GPT2LMHeadModel(cfg)
    cfg = GPTNeoXConfig(vocab_size=vocab, hidden_size=d, num_hidden_layers=layers, num_attention_heads=heads,
                        intermediate_size=d_mlp or 4 * d, rotary_pct=0.25, use_parallel_residual=True,
                        max_position_embeddings=CONTEXT, tie_word_embeddings=False, hidden_act="gelu",
                        bos_token_id=0, eos_token_id=0, attention_dropout=0.0, hidden_dropout=0.0)
    cfg._attn_implementation = "sdpa"
    return GPTNeoXForCausalLM(cfg)


def encode_facts(tok, facts):
    out = []
    for f in facts:
        ids = tok.encode(f["prompt"]).ids
        ans = tok.encode(f["answer"]).ids
        assert len(ans) == 1, f"answer {f['answer']!r} is not one token"
        out.append((ids, ans[0], f["task"]))
    return out


@torch.no_grad()
def evaluate(model, enc_facts, batch=128):
    """top-1 accuracy of the answer token after each fact prompt, per task (left-aligned, right-padded)."""
    model.eval()
    correct = {}
    total = {}
    for i in range(0, len(enc_facts), batch):
        chunk = enc_facts[i:i + batch]
        L = max(len(x[0]) for x in chunk)
        ids = torch.zeros(len(chunk), L, dtype=torch.long)
        for j, (p, _, _) in enumerate(chunk):
            ids[j, :len(p)] = torch.tensor(p)
        logits = model(input_ids=ids).logits
        for j, (p, a, task) in enumerate(chunk):
            pred = int(logits[j, len(p) - 1].argmax())
            total[task] = total.get(task, 0) + 1
            correct[task] = correct.get(task, 0) + int(pred == a)
    model.train()
    return {t: correct[t] / total[t] for t in sorted(total)}


def train(model, rows_ids, enc_facts, max_steps=6000, batch=64, lr=2e-3, warmup=200, seed=0, target=0.97,
          eval_every=250, log=print):
    torch.manual_seed(seed)
    rng = random.Random(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, betas=(0.9, 0.98), weight_decay=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warmup) * max(0.1, 0.5 * (1 + math.cos(math.pi * min(1.0, s / max_steps)))))
    order = []
    model.train()
    t0 = time.time()
    step, hits, acc = 0, 0, {}
    history = []
    while step < max_steps:
        if len(order) < batch:
            perm = list(range(len(rows_ids)))
            rng.shuffle(perm)
            order += perm
        idx, order = order[:batch], order[batch:]
        seqs = [rows_ids[i] for i in idx]
        L = max(len(s) for s in seqs)
        x = torch.zeros(len(seqs), L, dtype=torch.long)
        y = torch.full((len(seqs), L), -100, dtype=torch.long)
        for j, s in enumerate(seqs):
            x[j, :len(s)] = torch.tensor(s)
            y[j, :len(s)] = torch.tensor(s)
        out = model(input_ids=x, labels=y)
        opt.zero_grad(set_to_none=True)
        out.loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        step += 1
        if step % eval_every == 0 or step == max_steps:
            acc = evaluate(model, enc_facts)
            mean = sum(acc.values()) / len(acc)
            history.append({"step": step, "loss": round(float(out.loss.detach()), 4), "accuracy": acc})
            log(f"  step {step:5d}  loss {float(out.loss.detach()):.3f}  mean acc {mean:.3f}  "
                + " ".join(f"{k}={v:.2f}" for k, v in acc.items()) + f"  ({time.time() - t0:.0f}s)")
            if min(acc.values()) >= target:
                hits += 1
                if hits >= 2:
                    break
            else:
                hits = 0
    model.eval()
    return {"steps": step, "seconds": round(time.time() - t0), "accuracy": acc, "history": history}
