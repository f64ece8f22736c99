"""Runs call sequences on upstream's MemoryAPI_kv and MemoryAPI_rec_sum
through upstream's execute_multi_turn_func_call, for
TestMemoryDifferentialAgainstUpstream (bfcl/backends/memory).

Usage: python3 memory_differential.py <berkeley-function-call-leaderboard folder>

Each input line is {"class": name, "calls": [call, ...]}; each output line
is {"outputs": [...], "states": [...]}: every call's output and the
memory's state after it (json.dumps of the memory attributes). Each line
gets a fresh instance, made here and placed where the executor keeps its
instances, so that no snapshot folder is needed.

Stand-ins for modules this needs but the scoring machine may lack:
overrides (identity decorators), bfcl_eval.utils (only the snapshot path
helpers the memory base class imports; unused here) and rank_bm25
(BM25Plus written from the algorithm's definition in plain Python floats,
which give the same doubles as numpy's element-wise float64 operations).
"""
import json
import math
import sys
import types


def stand_ins():
    ov = types.ModuleType("overrides")
    ov.final = lambda f: f
    ov.override = lambda f: f
    sys.modules["overrides"] = ov

    utils = types.ModuleType("bfcl_eval.utils")
    utils.get_directory_structure_by_id = lambda test_id: "unused"
    utils.is_first_memory_prereq_entry = lambda i: "prereq" in i and i.endswith("-0")
    utils.is_memory_prereq = lambda c: "prereq" in c
    sys.modules["bfcl_eval.utils"] = utils

    class BM25Plus:
        def __init__(self, corpus, k1=1.5, b=0.75, delta=1):
            self.k1, self.b, self.delta = k1, b, delta
            self.doc_len, self.doc_freqs, nd = [], [], {}
            total = 0
            for doc in corpus:
                self.doc_len.append(len(doc))
                total += len(doc)
                freqs = {}
                for w in doc:
                    freqs[w] = freqs.get(w, 0) + 1
                self.doc_freqs.append(freqs)
                for w in freqs:
                    nd[w] = nd.get(w, 0) + 1
            self.corpus_size = len(corpus)
            self.avgdl = total / self.corpus_size
            self.idf = {w: math.log((self.corpus_size + 1) / n) for w, n in nd.items()}

        def get_scores(self, query):
            scores = [0.0] * self.corpus_size
            for q in query:
                idf = self.idf.get(q) or 0
                for i, freqs in enumerate(self.doc_freqs):
                    tf = freqs.get(q) or 0
                    norm = self.k1 * (1 - self.b + self.b * self.doc_len[i] / self.avgdl)
                    scores[i] += idf * (self.delta + (tf * (self.k1 + 1)) / (norm + tf))
            return scores

    rank = types.ModuleType("rank_bm25")
    rank.BM25Plus = BM25Plus
    sys.modules["rank_bm25"] = rank


def main():
    sys.path.insert(0, sys.argv[1])
    stand_ins()
    from bfcl_eval.eval_checker.multi_turn_eval import multi_turn_utils as utils
    from bfcl_eval.eval_checker.multi_turn_eval.func_source_code import memory_kv, memory_rec_sum

    classes = {"MemoryAPI_kv": memory_kv.MemoryAPI_kv, "MemoryAPI_rec_sum": memory_rec_sum.MemoryAPI_rec_sum}
    g = vars(utils)
    for n, line in enumerate(sys.stdin):
        case = json.loads(line)
        name = case["class"]
        entry = "diff_%d" % n
        inst = classes[name]()
        g["seeupo_%s_%s_instance" % (entry, name)] = inst
        outputs, states = [], []
        for call in case["calls"]:
            out, _ = utils.execute_multi_turn_func_call([call], {}, [name], "seeupo", entry)
            outputs.append(out[0])
            if name == "MemoryAPI_kv":
                state = {"core_memory": inst.core_memory, "archival_memory": inst.archival_memory}
            else:
                state = {"memory": inst.memory}
            states.append(json.dumps(state))
        del g["seeupo_%s_%s_instance" % (entry, name)]
        print(json.dumps({"outputs": outputs, "states": states}), flush=True)


main()
