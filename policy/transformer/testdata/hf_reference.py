"""Reference for the Hugging Face compatibility test of the Go transformer.

Usage: hf_reference.py OUT_DIR MODEL_TYPE   (MODEL_TYPE: qwen2 or qwen3)

Writes into OUT_DIR a tiny random checkpoint in the Hugging Face Qwen2/Qwen3
layout (config.json, model.safetensors in F32) and the reference figures,
computed in float64 with plain PyTorch ops written from the Qwen2/Qwen3
modelling equations (no transformers library):

  samples.json          (context, response) token ids and the loss weights
  reference.safetensors logits.I [T_i, V] of sample i's input tokens and
                        grad.NAME for every weight NAME, the gradient of
                        L = sum_ij a_ij * logp_ij + b_ij * entropy_ij
                        over the response tokens.
"""
import json
import struct
import sys

import torch


def config_for(model_type):
    qwen3 = model_type == "qwen3"
    return {
        "architectures": ["Qwen3ForCausalLM" if qwen3 else "Qwen2ForCausalLM"],
        "model_type": model_type,
        "hidden_size": 32,
        "num_hidden_layers": 2,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        # Qwen3 sets head_dim independently of hidden_size / heads.
        "head_dim": 16 if qwen3 else 8,
        "intermediate_size": 48,
        "vocab_size": 97,
        "max_position_embeddings": 64,
        "rope_theta": 10000.0 if qwen3 else 1000000.0,
        "rms_norm_eps": 1e-6,
        "tie_word_embeddings": qwen3,
        "torch_dtype": "float32",
    }


def make_weights(cfg, gen):
    d, hd = cfg["hidden_size"], cfg["head_dim"]
    q, kv = cfg["num_attention_heads"] * hd, cfg["num_key_value_heads"] * hd
    inter, vocab = cfg["intermediate_size"], cfg["vocab_size"]
    qwen3 = cfg["model_type"] == "qwen3"

    def randn(*shape, scale=0.2):
        return torch.randn(*shape, generator=gen, dtype=torch.float64) * scale

    def norm(n):
        return 1.0 + randn(n, scale=0.1)

    w = {"model.embed_tokens.weight": randn(vocab, d, scale=1.0)}
    for layer in range(cfg["num_hidden_layers"]):
        p = "model.layers.%d." % layer
        w[p + "input_layernorm.weight"] = norm(d)
        w[p + "self_attn.q_proj.weight"] = randn(q, d)
        w[p + "self_attn.k_proj.weight"] = randn(kv, d)
        w[p + "self_attn.v_proj.weight"] = randn(kv, d)
        if not qwen3:
            w[p + "self_attn.q_proj.bias"] = randn(q)
            w[p + "self_attn.k_proj.bias"] = randn(kv)
            w[p + "self_attn.v_proj.bias"] = randn(kv)
        else:
            w[p + "self_attn.q_norm.weight"] = norm(hd)
            w[p + "self_attn.k_norm.weight"] = norm(hd)
        w[p + "self_attn.o_proj.weight"] = randn(d, q)
        w[p + "post_attention_layernorm.weight"] = norm(d)
        w[p + "mlp.gate_proj.weight"] = randn(inter, d)
        w[p + "mlp.up_proj.weight"] = randn(inter, d)
        w[p + "mlp.down_proj.weight"] = randn(d, inter)
    w["model.norm.weight"] = norm(d)
    if not cfg["tie_word_embeddings"]:
        w["lm_head.weight"] = randn(vocab, d)
    return w


def rms_norm(x, weight, eps):
    variance = x.pow(2).mean(-1, keepdim=True)
    return weight * (x * torch.rsqrt(variance + eps))


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def rope(x, theta):
    # x: [heads, T, hd]
    hd, t = x.shape[-1], x.shape[-2]
    inv_freq = 1.0 / (theta ** (torch.arange(0, hd, 2, dtype=torch.float64) / hd))
    freqs = torch.outer(torch.arange(t, dtype=torch.float64), inv_freq)
    emb = torch.cat((freqs, freqs), dim=-1)
    return x * emb.cos() + rotate_half(x) * emb.sin()


def forward(cfg, w, ids):
    """Logits [T, V] of one sequence, as Qwen2/Qwen3 compute them."""
    return hidden_and_logits(cfg, w, ids)[1]


def hidden_and_logits(cfg, w, ids):
    """Final-norm hidden states [T, D] and logits [T, V] of one sequence."""
    eps, theta = cfg["rms_norm_eps"], cfg["rope_theta"]
    hd, nh, nkv = cfg["head_dim"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
    qwen3 = cfg["model_type"] == "qwen3"
    t = len(ids)
    x = w["model.embed_tokens.weight"][torch.tensor(ids)]
    mask = torch.full((t, t), float("-inf"), dtype=torch.float64).triu(1)
    for layer in range(cfg["num_hidden_layers"]):
        p = "model.layers.%d." % layer
        h = rms_norm(x, w[p + "input_layernorm.weight"], eps)

        def proj(name):
            y = h @ w[p + "self_attn.%s_proj.weight" % name].T
            bias = w.get(p + "self_attn.%s_proj.bias" % name)
            return y if bias is None else y + bias

        q = proj("q").view(t, nh, hd).transpose(0, 1)
        k = proj("k").view(t, nkv, hd).transpose(0, 1)
        v = proj("v").view(t, nkv, hd).transpose(0, 1)
        if qwen3:
            q = rms_norm(q, w[p + "self_attn.q_norm.weight"], eps)
            k = rms_norm(k, w[p + "self_attn.k_norm.weight"], eps)
        q, k = rope(q, theta), rope(k, theta)
        k = k.repeat_interleave(nh // nkv, dim=0)
        v = v.repeat_interleave(nh // nkv, dim=0)
        scores = q @ k.transpose(1, 2) / (hd ** 0.5) + mask
        att = torch.softmax(scores, dim=-1) @ v
        att = att.transpose(0, 1).reshape(t, nh * hd)
        x = x + att @ w[p + "self_attn.o_proj.weight"].T
        h = rms_norm(x, w[p + "post_attention_layernorm.weight"], eps)
        gate = h @ w[p + "mlp.gate_proj.weight"].T
        up = h @ w[p + "mlp.up_proj.weight"].T
        x = x + (torch.nn.functional.silu(gate) * up) @ w[p + "mlp.down_proj.weight"].T
    x = rms_norm(x, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if cfg["tie_word_embeddings"] else w["lm_head.weight"]
    return x, x @ head.T


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        data = tensors[name].detach().to(torch.float32).contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * ((8 - len(raw) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)


def main():
    out, model_type = sys.argv[1], sys.argv[2]
    gen = torch.Generator().manual_seed(1234 if model_type == "qwen2" else 4321)
    cfg = config_for(model_type)
    weights = make_weights(cfg, gen)
    # The checkpoint holds float32 values; the reference uses exactly those.
    weights = {k: v.to(torch.float32).to(torch.float64) for k, v in weights.items()}
    for v in weights.values():
        v.requires_grad_(True)
    vocab = cfg["vocab_size"]
    samples, loss = [], 0.0
    logits_out = {}
    for i, (nctx, nresp) in enumerate([(5, 7), (1, 3), (12, 9), (3, 1)]):
        ids = torch.randint(0, vocab, (nctx + nresp,), generator=gen).tolist()
        a = torch.randn(nresp, generator=gen, dtype=torch.float64)
        b = torch.randn(nresp, generator=gen, dtype=torch.float64) * 0.1
        hidden, logits = hidden_and_logits(cfg, weights, ids[:-1])
        logits_out["logits.%d" % i] = logits
        # The sentence embedding seeupo serve offers: mean-pooled hidden
        # states at unit length.
        pooled = hidden.detach().mean(dim=0)
        logits_out["embedding.%d" % i] = pooled / pooled.norm()
        logp_all = torch.log_softmax(logits, dim=-1)
        positions = torch.arange(nctx - 1, nctx - 1 + nresp)
        targets = torch.tensor(ids[nctx:])
        logp = logp_all[positions, targets]
        entropy = -(logp_all.exp() * logp_all).sum(-1)[positions]
        loss = loss + (a * logp).sum() + (b * entropy).sum()
        samples.append({"context": ids[:nctx], "response": ids[nctx:],
                        "a": a.tolist(), "b": b.tolist(),
                        "logp": logp.tolist(), "entropy": entropy.tolist()})
    loss.backward()
    with open(out + "/config.json", "w") as f:
        json.dump(cfg, f, indent=2)
    write_safetensors(out + "/model.safetensors", {k: v.detach() for k, v in weights.items()})
    ref = {k: v.detach() for k, v in logits_out.items()}
    for k, v in weights.items():
        ref["grad." + k] = v.grad
    write_safetensors(out + "/reference.safetensors", ref)
    with open(out + "/samples.json", "w") as f:
        json.dump({"loss": loss.item(), "samples": samples}, f)


if __name__ == "__main__":
    main()
