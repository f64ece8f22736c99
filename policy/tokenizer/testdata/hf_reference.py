#!/usr/bin/python3
"""Reference encoder/decoder for Hugging Face tokenizer.json files.

This is the reference the Go tokenizer is checked against (see
docs/policy.md, "Tokenizer fidelity"). Hugging Face `tokenizers` cannot be
installed on the project's machines (no PyPI, no Debian package), so this
is an independent implementation of what `tokenizers` does with a
byte-level BPE tokenizer.json, written from its documented behaviour and
run with Debian's python3: the pre-tokenizer's Split pattern is run as the
regular expression it is (the `regex` module, Debian's python3-regex),
not re-implemented by hand as the Go code does; normalisation is Python's
unicodedata; merges are applied with a priority queue over pair positions.

Usage:
    /usr/bin/python3 hf_reference.py TOKENIZER_JSON CORPUS_JSON > GOLDEN_JSON

CORPUS_JSON is a JSON list of strings. The output is a JSON list, one entry
per string: its ids, the bytes the ByteLevel decoder gives for them (hex),
the decoded text (invalid UTF-8 replaced as tokenizers does), the decoded
text without special tokens, and the same for the ids with the first and
the last id left out (which splits multi-byte characters).
"""

import heapq
import json
import sys
import unicodedata

import regex

GPT2_PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""


def byte_alphabet():
    """GPT-2's byte → printable character table."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    table = {}
    extra = 0
    for b in range(256):
        if b in printable:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + extra)
            extra += 1
    return table


BYTE_TO_CHAR = byte_alphabet()
CHAR_TO_BYTE = {c: b for b, c in BYTE_TO_CHAR.items()}


def make_normalizer(spec):
    if spec is None:
        return lambda s: s
    kind = spec["type"]
    if kind in ("NFC", "NFD", "NFKC", "NFKD"):
        return lambda s: unicodedata.normalize(kind, s)
    if kind == "Sequence":
        steps = [make_normalizer(n) for n in spec["normalizers"]]

        def run(s):
            for step in steps:
                s = step(s)
            return s

        return run
    if kind == "Prepend":
        return lambda s: spec["prepend"] + s if s else s
    if kind == "Replace":
        return lambda s: s.replace(spec["pattern"]["String"], spec["content"])
    if kind == "Strip":
        def strip(s):
            if spec.get("strip_left"):
                s = regex.sub(r"^\s+", "", s)
            if spec.get("strip_right"):
                s = regex.sub(r"\s+$", "", s)
            return s

        return strip
    raise SystemExit("normalizer %s: not covered by the reference" % kind)


def make_pretokenizer(spec):
    """Returns a function from a text to its words (before byte mapping)."""
    kind = spec["type"]
    if kind == "ByteLevel":
        if spec.get("add_prefix_space"):
            raise SystemExit("ByteLevel add_prefix_space: not covered by the reference")
        if spec.get("use_regex", True):
            pattern = regex.compile(GPT2_PATTERN)
            return lambda s: [m.group(0) for m in pattern.finditer(s)]
        return lambda s: [s] if s else []
    if kind == "Sequence":
        steps = [make_pretokenizer(p) for p in spec["pretokenizers"]]

        def run(s):
            words = [s]
            for step in steps:
                words = [w for word in words for w in step(word)]
            return words

        return run
    if kind == "Split":
        if spec["behavior"] != "Isolated" or spec.get("invert"):
            raise SystemExit("Split: only behavior Isolated without invert is covered")
        pattern = regex.compile(spec["pattern"]["Regex"])

        def split(s):
            out, last = [], 0
            for m in pattern.finditer(s):
                if m.start() > last:
                    out.append(s[last:m.start()])
                if m.end() > m.start():
                    out.append(m.group(0))
                last = m.end()
            if last < len(s):
                out.append(s[last:])
            return out

        return split
    raise SystemExit("pre_tokenizer %s: not covered by the reference" % kind)


class Reference:
    def __init__(self, spec):
        model = spec["model"]
        assert model["type"] == "BPE"
        self.vocab = model["vocab"]
        self.ignore_merges = model.get("ignore_merges", False)
        self.ranks = {}
        for i, m in enumerate(model["merges"]):
            pair = tuple(m.split(" ")) if isinstance(m, str) else tuple(m)
            self.ranks.setdefault(pair, i)
        self.normalize = make_normalizer(spec.get("normalizer"))
        self.pretokenize = make_pretokenizer(spec["pre_tokenizer"])
        self.added = spec.get("added_tokens", [])
        self.id_to_token = {i: t for t, i in self.vocab.items()}
        for a in self.added:
            self.id_to_token[a["id"]] = a["content"]
        self.special_ids = {a["id"] for a in self.added if a["special"]}
        self.raw_patterns = [(a["content"], a) for a in self.added if not a["normalized"]]
        self.norm_patterns = [(self.normalize(a["content"]), a) for a in self.added if a["normalized"]]

    @staticmethod
    def find_added(text, patterns):
        """Splits text into (piece, added token or None), leftmost-longest."""
        out, offset, pos = [], 0, 0
        while pos < len(text):
            best = None
            for start in range(pos, len(text)):
                for content, tok in patterns:
                    if text.startswith(content, start) and (best is None or len(content) > len(best[1])):
                        best = (start, content, tok)
                if best is not None:
                    break
            if best is None:
                break
            start, content, tok = best
            stop = start + len(content)
            pos = stop
            if tok["single_word"]:
                if regex.search(r"\w\Z", text[:start]) or regex.match(r"\w", text[stop:]):
                    continue
            if tok["lstrip"]:
                m = regex.search(r"\s*\Z", text[:start])
                start = max(m.start(), offset)
            if tok["rstrip"]:
                stop += regex.match(r"\s*", text[stop:]).end()
            if offset < start:
                out.append((text[offset:start], None))
            out.append((text[start:stop], tok))
            offset = stop
        if offset < len(text) or not out:
            out.append((text[offset:], None))
        return out

    def bpe(self, word):
        symbols = [BYTE_TO_CHAR[b] for b in word.encode("utf-8")]
        joined = "".join(symbols)
        if self.ignore_merges and joined in self.vocab:
            return [self.vocab[joined]]
        # Linked list over symbols; a heap of (rank, position) candidates.
        prev = list(range(-1, len(symbols) - 1))
        nxt = list(range(1, len(symbols) + 1))
        alive = [True] * len(symbols)
        heap = []

        def push(i):
            j = nxt[i]
            if j < len(symbols):
                r = self.ranks.get((symbols[i], symbols[j]))
                if r is not None:
                    heapq.heappush(heap, (r, i, symbols[i], symbols[j]))

        for i in range(len(symbols) - 1):
            push(i)
        while heap:
            r, i, a, b = heapq.heappop(heap)
            j = nxt[i] if alive[i] else len(symbols)
            if not alive[i] or j >= len(symbols) or symbols[i] != a or symbols[j] != b:
                continue
            symbols[i] = a + b
            alive[j] = False
            nxt[i] = nxt[j]
            if nxt[j] < len(symbols):
                prev[nxt[j]] = i
            if prev[i] >= 0:
                push(prev[i])
            push(i)
        return [self.vocab[s] for s, ok in zip(symbols, alive) if ok]

    def encode(self, text):
        ids = []
        for piece, tok in self.find_added(text, self.raw_patterns):
            if tok is not None:
                ids.append(tok["id"])
                continue
            for sub, tok2 in self.find_added(self.normalize(piece), self.norm_patterns):
                if tok2 is not None:
                    ids.append(tok2["id"])
                    continue
                for word in self.pretokenize(sub):
                    ids.extend(self.bpe(word))
        return ids

    def decode_bytes(self, ids):
        out = bytearray()
        for i in ids:
            tok = self.id_to_token[i]
            if all(c in CHAR_TO_BYTE for c in tok):
                out.extend(CHAR_TO_BYTE[c] for c in tok)
            else:
                out.extend(tok.encode("utf-8"))
        return bytes(out)

    def decode(self, ids, skip_special=False):
        if skip_special:
            ids = [i for i in ids if i not in self.special_ids]
        return self.decode_bytes(ids).decode("utf-8", "replace")


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        ref = Reference(json.load(f))
    with open(sys.argv[2], encoding="utf-8") as f:
        corpus = json.load(f)
    out = []
    for text in corpus:
        ids = ref.encode(text)
        entry = {
            "text": text,
            "ids": ids,
            "bytes_hex": ref.decode_bytes(ids).hex(),
            "decoded": ref.decode(ids),
            "decoded_skip_special": ref.decode(ids, skip_special=True),
        }
        if len(ids) > 1:
            entry["decoded_without_first"] = ref.decode(ids[1:])
            entry["decoded_without_last"] = ref.decode(ids[:-1])
        out.append(entry)
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
