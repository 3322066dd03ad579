"""Training step time of the CLIP+TIER reference model (AdamW, batch 32), PyTorch on CPU.

Usage: /usr/bin/python3 train_bench.py --threads 2 [--scale small|paper] [--lam 0.1]
         [--width W] [--depth D] [--image S] [--batch 32] [--warmup 3] [--steps 20] [--profile] [--pair]
Prints one JSON line: the median and every timed step, samples/s, the analytic matmul
FLOPs of a step, the BLAS library torch loaded, and the process's peak RSS
(resource.getrusage ru_maxrss, in KiB on Linux).
"""
import argparse, json, os, resource, statistics, sys, time

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--scale", default="small", choices=["small", "paper"])
ap.add_argument("--lam", type=float, default=0.1, help="entropy weight; 0 skips the entropy terms")
ap.add_argument("--width", type=int, default=None, help="both towers' width (MLP = 4 x width)")
ap.add_argument("--depth", type=int, default=None, help="both towers' depth")
ap.add_argument("--image", type=int, default=None, help="image side in pixels")
ap.add_argument("--batch", type=int, default=32)
ap.add_argument("--warmup", type=int, default=3)
ap.add_argument("--steps", type=int, default=20)
ap.add_argument("--lr", type=float, default=5e-4)
ap.add_argument("--wd", type=float, default=0.2)
ap.add_argument("--profile", action="store_true", help="add the top operators by self CPU time over the timed steps")
ap.add_argument("--pair", action="store_true",
                help="time the regularizer: alternate steps of a lam model and a lam = 0 model, report per-pair ratios")
args = ap.parse_args()
# OpenMP and OpenBLAS read their thread counts when the libraries load, so set them before torch.
os.environ["OMP_NUM_THREADS"] = os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)

import torch
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clip_tier import PAPER, SMALL, ClipTier, sized, synthetic_batch, train_gflop_per_step
from blas_info import blas_info

torch.set_num_threads(args.threads)


def make_step(model, opt, img, tokens, lam):
    def step():
        opt.zero_grad(set_to_none=True)
        loss = model.loss(img, tokens, lam=lam)
        loss.backward()
        opt.step()
        return loss
    return step


def paired(cfg):
    """Alternates steps of two identical models, with lam and with lam = 0, in one process."""
    steps = []
    for lam in (args.lam, 0.0):
        torch.manual_seed(0)
        model = ClipTier(cfg)
        opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.wd, eps=1e-8, foreach=True)
        img, tokens = synthetic_batch(cfg, args.batch)
        steps.append(make_step(model, opt, img, tokens, lam))
    for _ in range(args.warmup):
        for step in steps:
            step()
    pairs = []
    for i in range(args.steps):
        times = [0.0, 0.0]
        for k in ((0, 1) if i % 2 == 0 else (1, 0)):
            t0 = time.perf_counter()
            steps[k]()
            times[k] = time.perf_counter() - t0
        pairs.append({"on_s": round(times[0], 5), "off_s": round(times[1], 5)})
    print(json.dumps({
        "engine": "pytorch", "torch": torch.__version__, "threads": args.threads, "lam": args.lam, "pairs": pairs,
        "median_on_s": statistics.median(p["on_s"] for p in pairs), "median_off_s": statistics.median(p["off_s"] for p in pairs),
        "overhead": statistics.median(p["on_s"] / p["off_s"] - 1 for p in pairs)}))


def main():
    torch.manual_seed(0)
    overrides = {k: v for k, v in (("width", args.width), ("depth", args.depth), ("image", args.image)) if v}
    cfg = sized(SMALL if args.scale == "small" else PAPER, **overrides)
    if args.pair:
        paired(cfg)
        return
    model = ClipTier(cfg)
    # foreach=True updates all parameters with a few multi-tensor kernels instead of one loop per tensor.
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.wd, eps=1e-8, foreach=True)
    img, tokens = synthetic_batch(cfg, args.batch)
    def step():
        opt.zero_grad(set_to_none=True)
        loss = model.loss(img, tokens, lam=args.lam)
        loss.backward()
        opt.step()
        return loss

    times, profile = [], None
    for _ in range(args.warmup):
        loss = step()
    if args.profile:
        with torch.autograd.profiler.profile() as prof:
            for _ in range(args.steps):
                t0 = time.perf_counter()
                loss = step()
                times.append(time.perf_counter() - t0)
        events = sorted(prof.key_averages(), key=lambda e: e.self_cpu_time_total, reverse=True)[:15]
        profile = [{"name": e.key, "calls": e.count, "ms": round(e.self_cpu_time_total / 1e3 / args.steps, 2)} for e in events]
    else:
        for _ in range(args.steps):
            t0 = time.perf_counter()
            loss = step()
            times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    gflop = train_gflop_per_step(cfg, args.batch)
    print(json.dumps({
        "engine": "pytorch", "torch": torch.__version__, "blas": blas_info(), "scale": args.scale,
        "config": cfg.__dict__, "lam": args.lam, "threads": args.threads, "batch": args.batch,
        "params": sum(p.numel() for p in model.parameters()), "steps_timed": len(times),
        "step_s": [round(t, 5) for t in times], "median_step_s": round(med, 5),
        "samples_per_s": round(args.batch / med, 2), "model_gflop_per_step": round(gflop, 3),
        "effective_gflops": round(gflop / med, 1), "final_loss": round(loss.item(), 5),
        "max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        **({"profile_ms_per_step": profile} if profile else {})}))


if __name__ == "__main__":
    main()
