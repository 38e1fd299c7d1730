#!/usr/bin/env python3
"""Checks ptq's BERT encoder and WordPiece tokenizer against independent references on
all-MiniLM-L6-v2 (README "Transformers and LLMs"):
  * token ids: Hugging Face's `tokenizers` library with the model's own tokenizer.json;
  * embeddings: a NumPy forward of the BERT encoder written here from the architecture's
    definition (post-LayerNorm layers, erf GELU, mean pooling over non-padding tokens,
    L2 normalisation), reading model.safetensors directly.
Usage: scripts/check_minilm.py MODEL_DIR [SENTENCES.txt]   (needs numpy and tokenizers;
PTQ = the ptq binary, default build/ptq). Exit status 1 when a check fails."""
import json, math, os, struct, subprocess, sys, tempfile

import numpy as np
from tokenizers import Tokenizer

SEQ_LEN = 128


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    dtypes = {"F32": np.float32, "I64": np.int64, "F16": np.float16}
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        out[name] = np.frombuffer(data[b:e], dtype=dtypes[info["dtype"]]).reshape(info["shape"]).astype(np.float64)
    return out


def layer_norm(x, w, b, eps):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


def gelu(x):
    return 0.5 * x * (1.0 + np.vectorize(math.erf)(x / math.sqrt(2.0)))


def bert_embed(t, cfg, ids):
    h_dim, heads = cfg["hidden_size"], cfg["num_attention_heads"]
    hd, eps = h_dim // heads, cfg.get("layer_norm_eps", 1e-12)
    mask = (ids != 0).astype(np.float64)
    x = t["embeddings.word_embeddings.weight"][ids] + t["embeddings.position_embeddings.weight"][: ids.shape[1]] \
        + t["embeddings.token_type_embeddings.weight"][0]
    x = layer_norm(x, t["embeddings.LayerNorm.weight"], t["embeddings.LayerNorm.bias"], eps)
    lin = lambda v, p: v @ t[p + ".weight"].T + t[p + ".bias"]
    for i in range(cfg["num_hidden_layers"]):
        p = f"encoder.layer.{i}."
        split = lambda v: v.reshape(v.shape[0], v.shape[1], heads, hd).transpose(0, 2, 1, 3)
        q, k, v = (split(lin(x, p + "attention.self." + n)) for n in ("query", "key", "value"))
        s = q @ k.transpose(0, 1, 3, 2) / math.sqrt(hd) + ((1.0 - mask) * -1e9)[:, None, None, :]
        s = np.exp(s - s.max(-1, keepdims=True))
        a = (s / s.sum(-1, keepdims=True)) @ v
        a = a.transpose(0, 2, 1, 3).reshape(x.shape)
        x = layer_norm(x + lin(a, p + "attention.output.dense"), t[p + "attention.output.LayerNorm.weight"],
                       t[p + "attention.output.LayerNorm.bias"], eps)
        y = lin(gelu(lin(x, p + "intermediate.dense")), p + "output.dense")
        x = layer_norm(x + y, t[p + "output.LayerNorm.weight"], t[p + "output.LayerNorm.bias"], eps)
    pooled = (x * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
    return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)


DEFAULT_SENTENCES = [
    "A journey of a thousand miles begins with a single step.",
    "Don't count your chickens before they're hatched!",
    "The café on Rue Saint-André serves crème brûlée — naïvely priced at $3.50.",
    "Quantisation maps real-valued weights onto a small integer grid.",
    "It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife.",
    "e-mail me at someone@example.com (or call 555-0100) before 9:30am.",
]


def main():
    model_dir = sys.argv[1]
    sentences = DEFAULT_SENTENCES
    if len(sys.argv) > 2:
        sentences = [l.strip() for l in open(sys.argv[2]) if l.strip()]
    ptq = os.environ.get("PTQ", "build/ptq")
    with tempfile.TemporaryDirectory() as tmp:
        lines = os.path.join(tmp, "s.txt")
        open(lines, "w").write("\n".join(sentences) + "\n")
        out = os.path.join(tmp, "out.safetensors")
        subprocess.run([ptq, "embed", model_dir, "--input", lines, "--output", out, "--seq-len", str(SEQ_LEN)],
                       check=True, stdout=subprocess.DEVNULL)
        got = read_safetensors(out)
    tok = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(SEQ_LEN)
    ok = True
    ids = np.zeros((len(sentences), SEQ_LEN), dtype=np.int64)
    for i, s in enumerate(sentences):
        ref = tok.encode(s).ids
        mine = [int(v) for v in got["ids"][i] if v != 0]
        ids[i, : len(ref)] = ref
        if ref != mine:
            ok = False
            print(f"token ids differ for {s!r}:\n  HF  {ref}\n  ptq {mine}")
    cfg = json.load(open(os.path.join(model_dir, "config.json")))
    ref = bert_embed(read_safetensors(os.path.join(model_dir, "model.safetensors")), cfg, ids)
    err = np.abs(ref - got["embeddings"]).max()
    cos = (ref * got["embeddings"]).sum(1) / np.linalg.norm(got["embeddings"], axis=1)
    print(f"{len(sentences)} sentences: token ids {'identical' if ok else 'DIFFER'}; embeddings max |ptq - numpy| = "
          f"{err:.2e}, min cosine {cos.min():.8f}")
    if err > 1e-4:
        ok = False
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
