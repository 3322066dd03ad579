"""torch.onnx.export of the CLIP+TIER reference model as the same graphs tierc emits.

Usage: /usr/bin/python3 export_onnx.py --out DIR [--scale small|paper] [--width W]
         [--depth D] [--image S] [--graphs image_tower,text_tower,similarity_map,combined]

Graphs (opset 17, dynamic batch axis, int32 token ids as in tierc's graphs):
  image_tower     image -> image_embedding, patch_embeddings (unit length)
  text_tower      token_ids -> text_embedding (pooled at the end-of-text token), token_embeddings
  similarity_map  image, token_ids -> similarity [batch, token, patch] (cosine)
  combined        the original peer graph: all three outputs from one graph
Prints one JSON line: per graph the torch.onnx.export wall and CPU time, node count, op histogram and
file size, plus model construction time, total export time and peak RSS.
"""
import argparse, collections, json, os, resource, sys, time

ap = argparse.ArgumentParser()
ap.add_argument("--scale", default="small", choices=["small", "paper"])
ap.add_argument("--out", required=True)
ap.add_argument("--graphs", default="image_tower,text_tower,similarity_map")
ap.add_argument("--width", type=int, default=None)
ap.add_argument("--depth", type=int, default=None)
ap.add_argument("--image", type=int, default=None)
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--check", action="store_true", help="also run onnx.checker on each file")
args = ap.parse_args()
os.environ["OMP_NUM_THREADS"] = os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)

t_import = time.perf_counter()
import torch
import torch.nn as nn
import onnx
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clip_tier import PAPER, SMALL, ClipTier, sized, synthetic_batch
import_s = time.perf_counter() - t_import

torch.set_num_threads(args.threads)


class ImageTower(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, image):
        image_e, patch_e = self.model.vision(image)
        return nn.functional.normalize(image_e, dim=-1), nn.functional.normalize(patch_e, dim=-1)


class TextTower(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, token_ids):
        text_e, token_e = self.model.text(token_ids)
        return nn.functional.normalize(text_e, dim=-1), nn.functional.normalize(token_e, dim=-1)


class SimilarityMap(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, image, token_ids):
        patches = nn.functional.normalize(self.model.vision(image)[1], dim=-1)
        tokens = nn.functional.normalize(self.model.text(token_ids)[1], dim=-1)
        return tokens @ patches.transpose(1, 2)


class Combined(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, image, token_ids):
        img_e, txt_e, tok_e, patch_e = self.model.embed(image, token_ids)
        return img_e, txt_e, tok_e @ patch_e.transpose(1, 2)


GRAPHS = {
    "image_tower": (ImageTower, ["image"], ["image_embedding", "patch_embeddings"]),
    "text_tower": (TextTower, ["token_ids"], ["text_embedding", "token_embeddings"]),
    "similarity_map": (SimilarityMap, ["image", "token_ids"], ["similarity"]),
    "combined": (Combined, ["image", "token_ids"], ["image_embedding", "text_embedding", "similarity"]),
}


def main():
    overrides = {k: v for k, v in (("width", args.width), ("depth", args.depth), ("image", args.image)) if v}
    cfg = sized(SMALL if args.scale == "small" else PAPER, **overrides)
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(0)
    t0 = time.perf_counter()
    model = ClipTier(cfg).eval()
    build_s = time.perf_counter() - t0
    img, tokens = synthetic_batch(cfg, 2)
    feeds = {"image": img, "token_ids": tokens.to(torch.int32)}

    out = {"engine": "torch.onnx.export", "torch": torch.__version__, "onnx": onnx.__version__, "opset": 17,
           "scale": args.scale, "config": cfg.__dict__, "params": sum(p.numel() for p in model.parameters()),
           "import_s": round(import_s, 3), "build_s": round(build_s, 3), "graphs": {}}

    for name in args.graphs.split(","):
        cls, inputs, outputs = GRAPHS[name]
        net = cls(model).eval()
        path = os.path.join(args.out, name + ".onnx")
        t0, c0 = time.perf_counter(), time.process_time()
        with torch.no_grad():
            torch.onnx.export(net, tuple(feeds[i] for i in inputs), path, opset_version=17,
                              input_names=inputs, output_names=outputs,
                              dynamic_axes={n: {0: "batch"} for n in inputs + outputs})
        export_s, export_cpu_s = time.perf_counter() - t0, time.process_time() - c0

        graph = onnx.load(path, load_external_data=False)
        ops = collections.Counter(n.op_type for n in graph.graph.node)
        entry = {"export_s": round(export_s, 4), "export_cpu_s": round(export_cpu_s, 4), "nodes": len(graph.graph.node), "ops": dict(ops.most_common()),
                 "file_mib": round(os.path.getsize(path) / 2**20, 2)}
        if args.check:
            onnx.checker.check_model(path)          # the path form also works past 2 GB
            entry["checker"] = "ok"
        out["graphs"][name] = entry

    out["export_s"] = round(sum(g["export_s"] for g in out["graphs"].values()), 4)
    out["export_cpu_s"] = round(sum(g["export_cpu_s"] for g in out["graphs"].values()), 4)
    out["max_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
