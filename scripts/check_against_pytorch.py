#!/usr/bin/env python3
"""Check ptq's zoo against real PyTorch/torchvision.

For each architecture: build the torchvision model (random init with a fixed seed, then
random BatchNorm statistics and affine parameters so BN is not the identity), put it in
eval mode, and write three safetensors files:
    <arch>.weights.safetensors   the state_dict, torchvision's names
    <arch>.input.safetensors     {"input": [N, 3, S, S]}
    <arch>.expected.safetensors  {"logits": [N, classes]} computed by PyTorch
then run bench/ptq_torchvision_check on them (or, with --print-only, print the commands).

Needs: pip install torch torchvision safetensors. ptq itself does not depend on this script.
torchvision has no regnet_x_600mf builder; it is built here from torchvision's RegNet class
with the 600MF design parameters, as ptq does.

    python scripts/check_against_pytorch.py --checker build/bench/ptq_torchvision_check
"""
import argparse
import functools
import os
import subprocess
import sys

import torch
import torchvision
from safetensors.torch import save_file
from torchvision.models import regnet

ARCHS = ["resnet18", "resnet50", "mobilenet_v2", "regnetx_400mf", "regnetx_600mf"]


def build(arch, num_classes):
    m = torchvision.models
    if arch == "resnet18":
        return m.resnet18(num_classes=num_classes)
    if arch == "resnet50":
        return m.resnet50(num_classes=num_classes)
    if arch == "mobilenet_v2":
        return m.mobilenet_v2(num_classes=num_classes)
    if arch == "regnetx_400mf":
        return m.regnet_x_400mf(num_classes=num_classes)
    if arch == "regnetx_600mf":
        params = regnet.BlockParams.from_init_params(depth=16, w_0=48, w_a=36.97, w_m=2.24, group_width=24)
        norm = functools.partial(torch.nn.BatchNorm2d, eps=1e-05, momentum=0.1)
        return regnet.RegNet(params, num_classes=num_classes, norm_layer=norm)
    raise SystemExit(f"unknown arch {arch!r}; known: {', '.join(ARCHS)}")


@torch.no_grad()
def randomise_batchnorm(model, generator):
    for mod in model.modules():
        if isinstance(mod, torch.nn.BatchNorm2d):
            c = mod.num_features
            mod.running_mean.copy_(torch.randn(c, generator=generator) * 0.3)
            mod.running_var.copy_(torch.rand(c, generator=generator) * 1.5 + 0.5)
            mod.weight.copy_(1.0 + 0.2 * torch.randn(c, generator=generator))
            mod.bias.copy_(0.2 * torch.randn(c, generator=generator))


def export(arch, args):
    torch.manual_seed(args.seed)
    model = build(arch, args.num_classes)
    randomise_batchnorm(model, torch.Generator().manual_seed(args.seed + 1))
    model.eval()
    x = torch.randn(args.batch, 3, args.image_size, args.image_size,
                    generator=torch.Generator().manual_seed(args.seed + 2))
    with torch.no_grad():
        logits = model(x)
    base = os.path.join(args.out_dir, arch)
    files = {k: f"{base}.{k}.safetensors" for k in ("weights", "input", "expected")}
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, files["weights"])
    save_file({"input": x.contiguous()}, files["input"])
    save_file({"logits": logits.contiguous()}, files["expected"])
    return files


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--arch", action="append", choices=ARCHS, help="repeatable; default: all")
    p.add_argument("--image-size", type=int, default=224)
    p.add_argument("--num-classes", type=int, default=1000)
    p.add_argument("--batch", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--tolerance", type=float, default=1e-4, help="max |diff| / max |expected|")
    p.add_argument("--out-dir", default="/tmp/ptq-torchvision-check")
    p.add_argument("--checker", default="build/bench/ptq_torchvision_check")
    p.add_argument("--print-only", action="store_true", help="write the files, print the commands")
    args = p.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    print(f"torch {torch.__version__}, torchvision {torchvision.__version__}")
    failed = []
    for arch in args.arch or ARCHS:
        f = export(arch, args)
        cmd = [args.checker, "--arch", arch, "--weights", f["weights"], "--input", f["input"],
               "--expected", f["expected"], "--num-classes", str(args.num_classes), "--tolerance", str(args.tolerance)]
        if args.print_only:
            print(" ".join(cmd))
            continue
        sys.stdout.flush()
        if subprocess.run(cmd).returncode != 0:
            failed.append(arch)
    if failed:
        print("FAILED: " + ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
