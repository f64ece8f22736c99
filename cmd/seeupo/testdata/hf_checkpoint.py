"""A tiny Qwen3 checkpoint written by PyTorch, and the PyTorch reference
that reads an exported one back.

Usage:
  hf_checkpoint.py write DIR [END_BIAS]
      DIR holds a tokenizer.json in the Hugging Face format. Writes beside
      it a random Qwen3-shaped model as a Hugging Face checkpoint: config.json
      (Qwen3ForCausalLM), the weights in BF16 over two shards with
      model.safetensors.index.json, tokenizer_config.json with a ChatML chat
      template and generation_config.json. vocab_size is the tokenizer's
      size padded to the next multiple of 64, as Qwen pads its vocabulary.
      END_BIAS (default 3) raises <|im_end|>'s logit so that sampled
      replies end after a few tokens.
  hf_checkpoint.py logits DIR OUT IDS_JSON
      Reads DIR as transformers would (config.json's architecture and the
      fields Qwen3Config needs, the safetensors weights in their dtype,
      tokenizer_config.json's chat template, generation_config.json,
      tokenizer.json's BPE model), checks the files agree with each other,
      and writes to OUT (safetensors, F32) logits.I [T_i, V] of each id
      sequence of IDS_JSON (a JSON list of lists), computed in float64
      by the plain-torch Qwen2/Qwen3 forward of
      policy/transformer/testdata/hf_reference.py.

Only Debian's python3 and python3-torch are needed: transformers is not
packaged for Debian, so the reference implements the model from its
equations, and reads safetensors with struct and json.
"""
import json
import os
import struct
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "policy", "transformer", "testdata"))
from hf_reference import forward, write_safetensors  # noqa: E402

CHATML = ("{%- for message in messages %}"
          "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
          "{%- endfor %}"
          "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}")

DTYPES = {"F32": (torch.float32, 4), "BF16": (torch.bfloat16, 2), "F16": (torch.float16, 2)}
TORCH_NAMES = {"F32": "float32", "BF16": "bfloat16", "F16": "float16"}


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out, dtypes = {}, set()
    for name, e in header.items():
        if name == "__metadata__":
            continue
        dt, size = DTYPES[e["dtype"]]
        lo, hi = e["data_offsets"]
        count = 1
        for s in e["shape"]:
            count *= s
        assert hi - lo == count * size, name
        raw = bytearray(data[lo:hi])
        t = torch.frombuffer(raw, dtype=dt) if count else torch.zeros(0, dtype=dt)
        out[name] = t.reshape(e["shape"]).to(torch.float64)
        dtypes.add(e["dtype"])
    return out, dtypes


def write_bf16(path, tensors):
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].to(torch.bfloat16).contiguous()
        data = t.view(torch.int16).numpy().astype("<i2").tobytes()
        header[name] = {"dtype": "BF16", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = {"format": "pt"}
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * ((8 - len(raw) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)


def special_ids(tok):
    return {t["content"]: t["id"] for t in tok.get("added_tokens", [])}


def write(d, end_bias):
    with open(os.path.join(d, "tokenizer.json")) as f:
        tok = json.load(f)
    assert tok["model"]["type"] == "BPE", "tokenizer.json: model.type must be BPE"
    specials = special_ids(tok)
    size = max(list(tok["model"]["vocab"].values()) + list(specials.values())) + 1
    vocab = (size // 64 + 1) * 64  # padded past the tokenizer, as Qwen pads its vocabulary
    cfg = {
        "architectures": ["Qwen3ForCausalLM"], "model_type": "qwen3",
        "hidden_size": 64, "intermediate_size": 160, "num_hidden_layers": 2,
        "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 32,
        "vocab_size": vocab, "max_position_embeddings": 32768, "rope_theta": 1000000.0,
        "rms_norm_eps": 1e-6, "tie_word_embeddings": True, "attention_bias": False,
        "attention_dropout": 0.0, "hidden_act": "silu", "initializer_range": 0.02,
        "use_cache": True, "use_sliding_window": False, "sliding_window": None,
        "max_window_layers": 2, "rope_scaling": None, "torch_dtype": "bfloat16",
        "bos_token_id": specials.get("<|endoftext|>"), "eos_token_id": specials.get("<|im_end|>"),
        "transformers_version": "4.51.0",
    }
    gen = torch.Generator().manual_seed(20260211)
    d_model, hd = cfg["hidden_size"], cfg["head_dim"]
    q, kv = cfg["num_attention_heads"] * hd, cfg["num_key_value_heads"] * hd
    inter = cfg["intermediate_size"]

    def randn(*shape, scale=0.1):
        return torch.randn(*shape, generator=gen) * scale

    # Every embedding shares a component along the first axis, which the
    # residual stream carries to the final norm; <|im_end|>'s is END_BIAS
    # larger, so (the embeddings being tied) its logit stands out and
    # sampled replies end after a few tokens: smoke runs at the reference's
    # reply lengths stay short.
    embed = randn(vocab, d_model, scale=0.5)
    embed[:, 0] = 8.0
    if "<|im_end|>" in specials:
        embed[specials["<|im_end|>"], 0] += end_bias
    w = {"model.embed_tokens.weight": embed}
    for layer in range(cfg["num_hidden_layers"]):
        p = "model.layers.%d." % layer
        w[p + "input_layernorm.weight"] = 1 + randn(d_model)
        w[p + "self_attn.q_proj.weight"] = randn(q, d_model)
        w[p + "self_attn.k_proj.weight"] = randn(kv, d_model)
        w[p + "self_attn.v_proj.weight"] = randn(kv, d_model)
        w[p + "self_attn.q_norm.weight"] = 1 + randn(hd)
        w[p + "self_attn.k_norm.weight"] = 1 + randn(hd)
        w[p + "self_attn.o_proj.weight"] = randn(d_model, q)
        w[p + "post_attention_layernorm.weight"] = 1 + randn(d_model)
        w[p + "mlp.gate_proj.weight"] = randn(inter, d_model)
        w[p + "mlp.up_proj.weight"] = randn(inter, d_model)
        w[p + "mlp.down_proj.weight"] = randn(d_model, inter)
    w["model.norm.weight"] = 1 + randn(d_model)
    names = sorted(w)
    shards = [names[: len(names) // 2], names[len(names) // 2:]]
    files = ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"]
    weight_map, total = {}, 0
    for shard, fname in zip(shards, files):
        write_bf16(os.path.join(d, fname), {n: w[n] for n in shard})
        for n in shard:
            weight_map[n] = fname
            total += w[n].numel() * 2
    dump(os.path.join(d, "model.safetensors.index.json"), {"metadata": {"total_size": total}, "weight_map": weight_map})
    dump(os.path.join(d, "config.json"), cfg)
    decoder = {str(i): {"content": c, "lstrip": False, "normalized": False, "rstrip": False,
                        "single_word": False, "special": True} for c, i in sorted(specials.items(), key=lambda x: x[1])}
    dump(os.path.join(d, "tokenizer_config.json"), {
        "added_tokens_decoder": decoder, "additional_special_tokens": ["<|im_start|>", "<|im_end|>"],
        "bos_token": None, "chat_template": CHATML, "clean_up_tokenization_spaces": False,
        "eos_token": "<|im_end|>", "errors": "replace", "model_max_length": cfg["max_position_embeddings"],
        "pad_token": "<|endoftext|>", "split_special_tokens": False, "tokenizer_class": "Qwen2Tokenizer",
        "unk_token": None})
    dump(os.path.join(d, "generation_config.json"), {
        "bos_token_id": specials.get("<|endoftext|>"), "do_sample": True,
        "eos_token_id": [specials["<|im_end|>"], specials["<|endoftext|>"]],
        "pad_token_id": specials["<|endoftext|>"], "temperature": 0.6, "top_k": 20, "top_p": 0.95,
        "transformers_version": "4.51.0"})


def dump(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)


# Fields Qwen2Config/Qwen3Config read without a default that would change
# the network: an export must give them.
REQUIRED = ["architectures", "model_type", "hidden_size", "intermediate_size", "num_hidden_layers",
            "num_attention_heads", "num_key_value_heads", "vocab_size", "max_position_embeddings",
            "rope_theta", "rms_norm_eps", "tie_word_embeddings", "hidden_act", "torch_dtype"]


def load(d):
    with open(os.path.join(d, "config.json")) as f:
        cfg = json.load(f)
    missing = [k for k in REQUIRED if k not in cfg]
    assert not missing, "config.json lacks %s" % missing
    arch = {"qwen3": "Qwen3ForCausalLM", "qwen2": "Qwen2ForCausalLM"}[cfg["model_type"]]
    assert cfg["architectures"] == [arch], cfg["architectures"]
    assert cfg["hidden_act"] == "silu"
    if cfg["model_type"] == "qwen3":
        assert "head_dim" in cfg and cfg.get("attention_bias", False) is False
    cfg.setdefault("head_dim", cfg["hidden_size"] // cfg["num_attention_heads"])
    if os.path.exists(os.path.join(d, "model.safetensors")):
        files = ["model.safetensors"]
    else:
        with open(os.path.join(d, "model.safetensors.index.json")) as f:
            files = sorted(set(json.load(f)["weight_map"].values()))
    w, dtypes = {}, set()
    for fname in files:
        t, dt = read_safetensors(os.path.join(d, fname))
        w.update(t)
        dtypes |= dt
    assert len(dtypes) == 1 and TORCH_NAMES[dtypes.pop()] == cfg["torch_dtype"], \
        "weights in %s, config.json says torch_dtype %s" % (dtypes, cfg["torch_dtype"])
    with open(os.path.join(d, "tokenizer_config.json")) as f:
        tc = json.load(f)
    assert isinstance(tc.get("chat_template"), str) and "messages" in tc["chat_template"], "no chat_template"
    with open(os.path.join(d, "generation_config.json")) as f:
        gc = json.load(f)
    with open(os.path.join(d, "tokenizer.json")) as f:
        tok = json.load(f)
    assert tok["model"]["type"] == "BPE" and tok["decoder"]["type"] == "ByteLevel"
    specials = special_ids(tok)
    eos = gc["eos_token_id"] if isinstance(gc["eos_token_id"], list) else [gc["eos_token_id"]]
    assert specials.get("<|im_end|>") in eos, "generation_config.json: eos_token_id %s lacks <|im_end|>" % eos
    assert tc["eos_token"] in specials, tc["eos_token"]
    assert max(list(tok["model"]["vocab"].values()) + list(specials.values())) < cfg["vocab_size"]
    return cfg, w


def logits(d, out, ids_path):
    cfg, w = load(d)
    with open(ids_path) as f:
        seqs = json.load(f)
    res = {}
    with torch.no_grad():
        for i, ids in enumerate(seqs):
            res["logits.%d" % i] = forward(cfg, w, ids)
    write_safetensors(out, res)


if __name__ == "__main__":
    if sys.argv[1] == "write":
        write(sys.argv[2], float(sys.argv[3]) if len(sys.argv) > 3 else 3.0)
    elif sys.argv[1] == "logits":
        logits(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        sys.exit("usage: hf_checkpoint.py write DIR | logits DIR OUT IDS_JSON")
