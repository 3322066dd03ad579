"""CLIP + TIER reference model in plain PyTorch: the peer that `npm run bench` measures
tierc against.

Pre-LN transformer blocks with hand-written attention and QuickGELU (as CLIP),
ViT image tower (conv patch embedding, CLS token), causal text tower pooled at
the EOT token (the highest id, found with argmax, as CLIP). Loss = symmetric
InfoNCE with a learnable logit scale + LAMBDA * (token->patch entropy +
patch->token entropy) of softmax(TIER_SCALE * cos(token emb, patch emb)).
"""
import math
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

LAMBDA = 0.1       # weight of the entropy regularizer
TIER_SCALE = 1.0   # multiplier on cosine similarity before the TIER softmax
NEG = -1e9         # additive mask value (finite: keeps 0 * log p finite)


@dataclass
class Config:
    image: int = 64
    channels: int = 1
    patch: int = 8
    v_width: int = 128
    v_depth: int = 4
    v_heads: int = 4
    v_mlp: int = 512
    vocab: int = 1000
    ctx: int = 32
    t_width: int = 128
    t_depth: int = 4
    t_heads: int = 4
    t_mlp: int = 512
    embed: int = 64


SMALL = Config()


def sized(base, **overrides):
    """`base` with some sizes changed; width changes move both towers, depth both depths."""
    fields = dict(base.__dict__)
    if "width" in overrides:
        w = overrides.pop("width")
        fields.update(v_width=w, t_width=w, v_mlp=4 * w, t_mlp=4 * w)
    if "depth" in overrides:
        d = overrides.pop("depth")
        fields.update(v_depth=d, t_depth=d)
    fields.update(overrides)
    return Config(**fields)
# 'paper scale': ViT-B/16 at 224 + a 12-layer 768-wide text encoder (CLIP vocab/ctx).
PAPER = Config(image=224, channels=3, patch=16, v_width=768, v_depth=12, v_heads=12,
               v_mlp=3072, vocab=49408, ctx=77, t_width=768, t_depth=12, t_heads=12,
               t_mlp=3072, embed=512)


class Block(nn.Module):
    def __init__(self, width, heads, mlp):
        super().__init__()
        self.heads = heads
        self.ln1, self.ln2 = nn.LayerNorm(width), nn.LayerNorm(width)
        self.qkv, self.out = nn.Linear(width, 3 * width), nn.Linear(width, width)
        self.fc1, self.fc2 = nn.Linear(width, mlp), nn.Linear(mlp, width)

    def forward(self, x, mask=None):
        b, t, w = x.shape
        d = w // self.heads
        q, k, v = self.qkv(self.ln1(x)).reshape(b, t, 3, self.heads, d).permute(2, 0, 3, 1, 4)
        a = (q @ k.transpose(-1, -2)) * d ** -0.5
        if mask is not None:
            a = a + mask
        x = x + self.out((a.softmax(-1) @ v).transpose(1, 2).reshape(b, t, w))
        h = self.fc1(self.ln2(x))
        return x + self.fc2(h * torch.sigmoid(1.702 * h))


class Vision(nn.Module):
    def __init__(self, c):
        super().__init__()
        n = (c.image // c.patch) ** 2
        self.patch = nn.Conv2d(c.channels, c.v_width, c.patch, stride=c.patch, bias=False)
        self.cls = nn.Parameter(torch.randn(c.v_width) * 0.02)
        self.pos = nn.Parameter(torch.randn(n + 1, c.v_width) * 0.01)
        self.ln_pre, self.ln_post = nn.LayerNorm(c.v_width), nn.LayerNorm(c.v_width)
        self.blocks = nn.ModuleList(Block(c.v_width, c.v_heads, c.v_mlp) for _ in range(c.v_depth))
        self.proj = nn.Linear(c.v_width, c.embed, bias=False)

    def forward(self, img):
        x = self.patch(img).flatten(2).transpose(1, 2)            # [B, P, W]
        x = torch.cat([self.cls.expand(x.shape[0], 1, -1), x], 1) + self.pos
        x = self.ln_pre(x)
        for blk in self.blocks:
            x = blk(x)
        x = self.proj(self.ln_post(x))                            # [B, 1+P, E]
        return x[:, 0], x[:, 1:]                                  # image emb, patch embs


class Text(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.tok = nn.Embedding(c.vocab, c.t_width)
        nn.init.normal_(self.tok.weight, std=0.02)
        self.pos = nn.Parameter(torch.randn(c.ctx, c.t_width) * 0.01)
        self.blocks = nn.ModuleList(Block(c.t_width, c.t_heads, c.t_mlp) for _ in range(c.t_depth))
        self.ln_final = nn.LayerNorm(c.t_width)
        self.proj = nn.Linear(c.t_width, c.embed, bias=False)
        self.register_buffer("causal", torch.full((c.ctx, c.ctx), NEG).triu(1), persistent=False)

    def forward(self, tokens):
        x = self.tok(tokens) + self.pos
        for blk in self.blocks:
            x = blk(x, self.causal)
        x = self.proj(self.ln_final(x))                           # [B, T, E]
        eot = tokens.argmax(-1)
        return x[torch.arange(x.shape[0]), eot], x                # text emb, token embs


class ClipTier(nn.Module):
    def __init__(self, c=SMALL):
        super().__init__()
        self.cfg = c
        self.vision, self.text = Vision(c), Text(c)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))

    def embed(self, img, tokens):
        """Normalized image emb, text emb, token embs, patch embs."""
        img_e, patch_e = self.vision(img)
        txt_e, tok_e = self.text(tokens)
        n = lambda t: F.normalize(t, dim=-1)
        return n(img_e), n(txt_e), n(tok_e), n(patch_e)

    def loss(self, img, tokens, lam=LAMBDA):
        """InfoNCE + lam * TIER entropy; lam == 0 skips the entropy terms entirely."""
        img_e, txt_e, tok_e, patch_e = self.embed(img, tokens)
        scale = self.logit_scale.clamp(max=math.log(100)).exp()
        logits = scale * img_e @ txt_e.t()
        labels = torch.arange(logits.shape[0])
        clip = (F.cross_entropy(logits, labels) + F.cross_entropy(logits.t(), labels)) / 2
        if lam == 0:
            return clip
        real = (tokens != 0).float()                              # [B, T], 0 = pad
        s = TIER_SCALE * tok_e @ patch_e.transpose(1, 2)          # [B, T, P]
        h_tp = -(s.softmax(-1) * s.log_softmax(-1)).sum(-1)       # token -> patches
        h_tp = (h_tp * real).sum() / real.sum()
        st = s.transpose(1, 2) + (1 - real[:, None, :]) * NEG     # [B, P, T], pads masked
        h_pt = -(st.softmax(-1) * st.log_softmax(-1)).sum(-1).mean()  # patch -> tokens
        return clip + lam * (h_tp + h_pt)


def synthetic_batch(c, batch, seed=0):
    """Random images in [0,1); captions of random length ending in EOT (= vocab-1), 0-padded."""
    g = torch.Generator().manual_seed(seed)
    img = torch.rand(batch, c.channels, c.image, c.image, generator=g)
    lens = torch.randint(c.ctx // 4, c.ctx + 1, (batch,), generator=g)
    tokens = torch.randint(1, c.vocab - 1, (batch, c.ctx), generator=g)
    ar = torch.arange(c.ctx)[None]
    tokens = torch.where(ar < lens[:, None] - 1, tokens, torch.zeros_like(tokens))
    tokens[torch.arange(batch), lens - 1] = c.vocab - 1
    return img, tokens


def train_gflop_per_step(c, batch):
    """Analytic matmul FLOPs of one training step (forward x 3), in GFLOP.
    Counts linear/attention/patch/projection/loss matmuls; not elementwise ops,
    not the embedding lookup (a gather here; tfjs's one-hot matmul adds more)."""
    def tower(tokens, w, depth, mlp):
        return depth * (tokens * (8 * w * w + 4 * w * mlp) + 4 * tokens * tokens * w)
    n = (c.image // c.patch) ** 2
    v = n * c.patch * c.patch * c.channels * c.v_width * 2 + tower(n + 1, c.v_width, c.v_depth, c.v_mlp) \
        + (n + 1) * c.v_width * c.embed * 2
    t = tower(c.ctx, c.t_width, c.t_depth, c.t_mlp) + c.ctx * c.t_width * c.embed * 2
    loss = batch * c.embed * 2 + c.ctx * n * c.embed * 2
    return 3 * batch * (v + t + loss) / 1e9


class Inference(nn.Module):
    """ONNX graph: image -> normalized image emb; tokens -> normalized text emb;
    plus token x patch cosine similarity [B, T, P] of each (image, caption) pair."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, image, tokens):
        img_e, txt_e, tok_e, patch_e = self.model.embed(image, tokens)
        return img_e, txt_e, tok_e @ patch_e.transpose(1, 2)
