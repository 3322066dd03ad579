"""PyTorch eager latency and peak RSS of the similarity-map computation that export_onnx.py
exports: image, token ids -> cosine similarity [batch, token, patch].

Usage: /usr/bin/python3 infer_bench.py --threads N [--batches 1,32] [--runs 30]
Prints one JSON line; max_rss_mib is resource.getrusage ru_maxrss of this process.
"""
import argparse, json, os, resource, statistics, sys, time

ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--batches", default="1,32")
ap.add_argument("--runs", type=int, default=30)
args = ap.parse_args()
os.environ["OMP_NUM_THREADS"] = os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)

import torch
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clip_tier import SMALL, ClipTier, synthetic_batch

torch.set_num_threads(args.threads)


def main():
    torch.manual_seed(0)
    model = ClipTier(SMALL).eval()
    out = {"engine": "pytorch-eager", "threads": args.threads, "latency_ms": {}}
    with torch.inference_mode():
        for b in map(int, args.batches.split(",")):
            img, tokens = synthetic_batch(SMALL, b)

            def run():
                _, _, token_e, patch_e = model.embed(img, tokens)
                return token_e @ patch_e.transpose(1, 2)

            for _ in range(5):
                run()
            ts = []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                run()
                ts.append((time.perf_counter() - t0) * 1e3)
            out["latency_ms"][f"b{b}_t{args.threads}"] = {"median": round(statistics.median(ts), 3), "min": round(min(ts), 3)}
    out["max_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
