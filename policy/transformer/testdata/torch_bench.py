"""PyTorch CPU reference for `seeupo bench kernels`.

Usage: torch_bench.py CONFIG_JSON THREADS BATCH SEQ STEPS MATMUL_SIZES

Builds the Go transformer's network from a Hugging Face style config (the
Qwen2/Qwen3 equations in plain torch ops: RMSNorm, rotate-half RoPE,
grouped-query causal attention, optional QK-norm and q/k/v bias, SwiGLU,
tied or untied head), runs STEPS timed training steps (after one warm-up)
of mean cross-entropy on BATCH random sequences of SEQ+1 tokens with
gradient clipping at 1 and AdamW (weight decay 0.1 on matrices only, as
the Go model), all in float32 on THREADS threads, and times MATMUL_SIZES
("MxNxK,MxNxK") matrix products. Prints one JSON object.

SEEUPO_TORCH_OPTIONS (JSON) selects torch-side options: "mkldnn" (bool,
torch.backends.mkldnn.enabled), "flush_denormal" (bool) and "sdpa" (bool:
causal attention through F.scaled_dot_product_attention(is_causal=True),
which skips the masked half, where the installed torch has it). The output
says which were applied and which OpenBLAS core the process runs.
"""
import ctypes
import ctypes.util
import json
import os
import resource
import sys
import time

import torch
import torch.nn.functional as F


def rms_norm(x, w, eps):
    return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


def openblas_core():
    """The OpenBLAS core this process runs and OpenBLAS's build line, or
    two empty strings."""
    for name in ("libblas.so.3", "libopenblas.so.0", ctypes.util.find_library("openblas")):
        if not name:
            continue
        try:
            lib = ctypes.CDLL(name)
            lib.openblas_get_corename.restype = ctypes.c_char_p
            lib.openblas_get_config.restype = ctypes.c_char_p
            return lib.openblas_get_corename().decode(), lib.openblas_get_config().decode().strip()
        except (OSError, AttributeError):
            continue
    return "", ""


def apply_options(opts):
    """Applies SEEUPO_TORCH_OPTIONS and returns what was applied."""
    applied = {}
    if "mkldnn" in opts:
        torch.backends.mkldnn.enabled = bool(opts["mkldnn"])
    applied["mkldnn"] = torch.backends.mkldnn.is_available() and torch.backends.mkldnn.enabled
    if opts.get("flush_denormal"):
        applied["flush_denormal"] = torch.set_flush_denormal(True)
    have = hasattr(F, "scaled_dot_product_attention")
    applied["sdpa_available"] = have
    applied["sdpa"] = bool(opts.get("sdpa", True)) and have
    return applied


class Model(torch.nn.Module):
    def __init__(self, c, sdpa=False):
        super().__init__()
        self.c, self.sdpa = c, sdpa
        d, hd = c["hidden_size"], c.get("head_dim") or c["hidden_size"] // c["num_attention_heads"]
        self.hd, self.nh, self.nkv = hd, c["num_attention_heads"], c["num_key_value_heads"]
        q, kv, inter = self.nh * hd, self.nkv * hd, c["intermediate_size"]
        self.qwen3 = c["model_type"] == "qwen3"
        bias = c.get("attention_bias", not self.qwen3)

        def mat(*s):
            return torch.nn.Parameter(torch.randn(*s) * 0.02)

        def ones(n):
            return torch.nn.Parameter(torch.ones(n))

        self.embed = mat(c["vocab_size"], d)
        self.layers = torch.nn.ModuleList()
        for _ in range(c["num_hidden_layers"]):
            layer = torch.nn.Module()
            layer.ln1, layer.ln2 = ones(d), ones(d)
            layer.wq, layer.wk, layer.wv, layer.wo = mat(q, d), mat(kv, d), mat(kv, d), mat(d, q)
            layer.bq = torch.nn.Parameter(torch.zeros(q)) if bias else None
            layer.bk = torch.nn.Parameter(torch.zeros(kv)) if bias else None
            layer.bv = torch.nn.Parameter(torch.zeros(kv)) if bias else None
            if self.qwen3:
                layer.qn, layer.kn = ones(hd), ones(hd)
            layer.wg, layer.wu, layer.wd = mat(inter, d), mat(inter, d), mat(d, inter)
            self.layers.append(layer)
        self.norm = ones(d)
        self.head = None if c["tie_word_embeddings"] else mat(c["vocab_size"], d)

    def forward(self, ids):
        c, hd, nh, nkv = self.c, self.hd, self.nh, self.nkv
        eps = c["rms_norm_eps"]
        b, t = ids.shape
        inv = 1.0 / (c["rope_theta"] ** (torch.arange(0, hd, 2, dtype=torch.float32) / hd))
        freqs = torch.outer(torch.arange(t, dtype=torch.float32), inv)
        emb = torch.cat((freqs, freqs), dim=-1)
        cos, sin = emb.cos(), emb.sin()
        mask = torch.full((t, t), float("-inf")).triu(1)
        x = self.embed[ids]
        for L in self.layers:
            h = rms_norm(x, L.ln1, eps)
            q = F.linear(h, L.wq, L.bq).view(b, t, nh, hd)
            k = F.linear(h, L.wk, L.bk).view(b, t, nkv, hd)
            v = F.linear(h, L.wv, L.bv).view(b, t, nkv, hd)
            if self.qwen3:
                q, k = rms_norm(q, L.qn, eps), rms_norm(k, L.kn, eps)
            q, k, v = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)
            q = q * cos + rotate_half(q) * sin
            k = k * cos + rotate_half(k) * sin
            k = k.repeat_interleave(nh // nkv, dim=1)
            v = v.repeat_interleave(nh // nkv, dim=1)
            if self.sdpa:
                a = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            else:
                s = q @ k.transpose(-1, -2) / (hd ** 0.5) + mask
                a = torch.softmax(s, dim=-1) @ v
            a = a.transpose(1, 2).reshape(b, t, nh * hd)
            x = x + F.linear(a, L.wo)
            h = rms_norm(x, L.ln2, eps)
            x = x + F.linear(F.silu(F.linear(h, L.wg)) * F.linear(h, L.wu), L.wd)
        x = rms_norm(x, self.norm, eps)
        return F.linear(x, self.embed if self.head is None else self.head)


def matmul_gflops(m, n, k):
    a, b = torch.randn(m, k), torch.randn(k, n)
    torch.mm(a, b)
    reps, t0 = 0, time.perf_counter()
    while True:
        torch.mm(a, b)
        reps += 1
        el = time.perf_counter() - t0
        if el > 0.3 and reps >= 3:
            return 2.0 * m * n * k * reps / el / 1e9


def main():
    cfg = json.loads(open(sys.argv[1]).read())
    threads, batch, seq, steps = (int(a) for a in sys.argv[2:6])
    sizes = [s for s in sys.argv[6].split(",") if s] if len(sys.argv) > 6 else []
    torch.set_num_threads(threads)
    applied = apply_options(json.loads(os.environ.get("SEEUPO_TORCH_OPTIONS") or "{}"))
    torch.manual_seed(0)
    model = Model(cfg, sdpa=applied["sdpa"])
    decay = [p for p in model.parameters() if p.dim() == 2]
    rest = [p for p in model.parameters() if p.dim() != 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": rest, "weight_decay": 0.0}],
                            lr=1e-4, betas=(0.9, 0.95), eps=1e-8)
    ids = torch.randint(0, cfg["vocab_size"], (batch, seq + 1))
    times, loss = [], None
    for step in range(steps + 1):
        t0 = time.perf_counter()
        logits = model(ids[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        if step > 0:  # step 0 is the warm-up
            times.append(time.perf_counter() - t0)
    out = {
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "step_seconds": times,
        "train_tokens_per_s": batch * seq * len(times) / sum(times),
        "loss": loss.item(),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        "matmul": [],
        "options": applied,
    }
    out["openblas"], out["openblas_config"] = openblas_core()
    for s in sizes:
        m, n, k = (int(v) for v in s.split("x"))
        out["matmul"].append({"size": s, "gflops": matmul_gflops(m, n, k)})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
