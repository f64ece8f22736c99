"""Write BFCL v4 result folders made from the ground truth, with some
answers perturbed, for the score-file comparison test.

    python3 make_results.py DATA_DIR OUT_DIR

DATA_DIR is the bfcl_v4 data folder; OUT_DIR receives one folder per model
in upstream's result layout. The choices are seeded, so the output is the
same on every run. Only the Python standard library is used.
"""
import ast
import json
import os
import random
import sys

DATA, OUT = sys.argv[1], sys.argv[2]

AST_CATS = ["simple_python", "multiple", "parallel", "parallel_multiple",
            "live_simple", "live_multiple", "live_parallel", "live_parallel_multiple"]
REL_CATS = ["irrelevance", "live_irrelevance", "live_relevance"]
MT_CATS = ["multi_turn_base", "multi_turn_miss_func", "multi_turn_miss_param", "multi_turn_long_context"]
GROUP = {c: "non_live" for c in ["simple_python", "multiple", "parallel", "parallel_multiple", "irrelevance"]}
GROUP.update({c: "live" for c in ["live_simple", "live_multiple", "live_parallel", "live_parallel_multiple",
                                   "live_irrelevance", "live_relevance"]})
GROUP.update({c: "multi_turn" for c in MT_CATS})
GROUP["format_sensitivity"] = "format_sensitivity"
GROUP.update({"web_search_base": "agentic", "web_search_no_snippet": "agentic",
              "memory_kv": "agentic/memory/kv", "memory_vector": "agentic/memory/vector",
              "memory_rec_sum": "agentic/memory/rec_sum"})

DOC_FILES = {
    "GorillaFileSystem": "gorilla_file_system.json", "MathAPI": "math_api.json",
    "MessageAPI": "message_api.json", "TwitterAPI": "posting_api.json", "TicketAPI": "ticket_api.json",
    "TradingBot": "trading_bot.json", "TravelAPI": "travel_booking.json",
    "VehicleControlAPI": "vehicle_control.json",
}


def lines(path):
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip()]


def pick(options):
    """The first allowed value that is not the optional marker ""."""
    for o in options:
        if o != "":
            return True, concrete(o)
    return False, None


def concrete(v):
    if isinstance(v, dict):
        out = {}
        for k, opts in v.items():
            if isinstance(opts, list):
                ok, val = pick(opts)
                if ok:
                    out[k] = val
            else:
                out[k] = opts
        return out
    return v


def gt_calls(gt):
    """[(name, {arg: value})] from an AST possible answer."""
    calls = []
    for item in gt:
        name, params = next(iter(item.items()))
        args = {}
        for k, opts in params.items():
            ok, val = pick(opts)
            if ok:
                args[k] = val
        calls.append((name, args))
    return calls


def prompt_text(calls):
    return "[" + ", ".join(f"{n}({', '.join(f'{k}={v!r}' for k, v in a.items())})" for n, a in calls) + "]"


def fc_items(calls):
    return [{n.replace(".", "_"): json.dumps(a)} for n, a in calls]


def usage(rng, shape=None):
    if shape is None:
        return {"input_token_count": rng.randint(100, 4000), "output_token_count": rng.randint(5, 300),
                "latency": rng.uniform(0.1, 6.0)}
    return {"input_token_count": [[rng.randint(100, 4000) for _ in t] for t in shape],
            "output_token_count": [[rng.randint(5, 300) for _ in t] for t in shape],
            "latency": [[rng.uniform(0.1, 6.0) for _ in t] for t in shape]}


def ast_result(calls, fc, rng, perturb):
    if perturb:
        kind = rng.choice(["value", "drop_arg", "name", "syntax", "extra_call", "not_calls", "empty"])
        calls = [(n, dict(a)) for n, a in calls]
        if kind == "value" and calls and calls[0][1]:
            k = rng.choice(sorted(calls[0][1]))
            calls[0][1][k] = "perturbed value"
        elif kind == "drop_arg" and calls and calls[0][1]:
            del calls[0][1][sorted(calls[0][1])[0]]
        elif kind == "name" and calls:
            calls[0] = (calls[0][0] + "_x", calls[0][1])
        elif kind == "extra_call":
            calls = calls + calls[:1]
        elif kind == "syntax" and not fc:
            return prompt_text(calls)[:-3]
        elif kind == "not_calls" and not fc:
            return "[1, 2, 3]"
        elif kind == "empty":
            return "" if not fc else []
        else:
            calls = calls[1:]
    return fc_items(calls) if fc else prompt_text(calls)


def relevance_result(cat, entry, fc, perturb):
    want_call = cat == "live_relevance"
    if perturb:
        want_call = not want_call
    if not want_call:
        return "I cannot help with that request." if not fc else "I cannot help with that request."
    fn = entry["function"][0]["name"]
    return [{fn.replace(".", "_"): "{}"}] if fc else f"[{fn}()]"


def keywordize(call, docs):
    """A ground-truth call string with positional arguments named after the
    function doc's parameters."""
    node = ast.parse(call, mode="eval").body
    name = ast.unparse(node.func)
    params = list(docs.get(name, {}).get("parameters", {}).get("properties", {}).keys())
    args = {}
    for i, a in enumerate(node.args):
        args[params[i] if i < len(params) else f"arg{i}"] = ast.literal_eval(a)
    for kw in node.keywords:
        args[kw.arg] = ast.literal_eval(kw.value)
    return name, args


def multi_turn_result(entry, gt, docs, rng, perturb):
    names = {}
    for c in entry["involved_classes"]:
        for d in docs[c]:
            names[d["name"]] = d
    turns = [[keywordize(c, names) for c in t] for t in gt]
    kind = None
    if perturb:
        kind = rng.choice(["empty_turn", "value", "drop_call", "force_terminated"])
        t = rng.choice([i for i, calls in enumerate(turns) if calls] or [0])
        if kind == "empty_turn":
            turns[t] = []
        elif kind == "value" and turns[t] and turns[t][-1][1]:
            n, a = turns[t][-1]
            k = sorted(a)[0]
            a = dict(a)
            a[k] = "perturbed" if isinstance(a[k], str) else 12345
            turns[t][-1] = (n, a)
        elif kind == "drop_call" and turns[t]:
            turns[t] = turns[t][:-1]
        elif kind == "force_terminated":
            turns = turns[:-1]
    result = []
    for calls in turns:
        steps = []
        if calls:
            steps.append(prompt_text(calls))
        steps.append("I have completed the request.")
        result.append(steps)
    return result


def agentic_result(answer, fc, rng, perturb):
    call = [("search_engine_query", {"keywords": "question"})]
    final = "{'answer': '%s', 'context': 'found it'}" % answer
    kind = None
    if perturb:
        kind = rng.choice(["wrong", "no_text", "not_one_turn"])
        if kind == "wrong":
            final = "{'answer': 'I do not know', 'context': 'I do not know'}"
    first = fc_items(call) if fc else prompt_text(call)
    steps = [first, final]
    if kind == "no_text":
        steps = [first]
    result = [steps]
    if kind == "not_one_turn":
        result = [steps, steps]
    return result


# Upstream's prompt-format configurations, in its order.
FS_CONFIGS = [f"ret_fmt={r}&tool_call_tag={t}&func_doc_fmt={d}&prompt_fmt=plaintext&style=classic"
              for r in ["python", "json", "verbose_xml", "concise_xml"]
              for t in ["True", "False"] for d in ["python", "xml", "json"]] + [
    "ret_fmt=python&tool_call_tag=False&func_doc_fmt=json&prompt_fmt=markdown&style=classic",
    "ret_fmt=python&tool_call_tag=False&func_doc_fmt=json&prompt_fmt=plaintext&style=experimental"]


def xml_typed(v):
    """(type name, text) of a value in the XML return formats."""
    if isinstance(v, bool):
        return "boolean", "true" if v else "false"
    if isinstance(v, int):
        return "integer", repr(v)
    if isinstance(v, float):
        return "float", repr(v)
    if isinstance(v, (list, dict)):
        return ("array" if isinstance(v, list) else "dict"), repr(v)
    if v is None:
        return "null", ""
    return "string", str(v)


def xml_escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def format_text(calls, ret):
    """Calls written in a return format."""
    if ret == "python":
        return prompt_text(calls)
    if ret == "json":
        return "```json\n" + json.dumps([{"function": n, "parameters": a} for n, a in calls]) + "\n```"
    out = ["<functions>"]
    for n, a in calls:
        out.append(f'<function name="{xml_escape(n)}">')
        if ret == "verbose_xml":
            out.append("<params>")
        for k, v in a.items():
            typ, text = xml_typed(v)
            if ret == "verbose_xml":
                out.append(f'<param name="{xml_escape(k)}" value="{xml_escape(text)}" type="{typ}"/>')
            else:
                out.append(f'<param name="{xml_escape(k)}" type="{typ}">{xml_escape(text)}</param>')
        if ret == "verbose_xml":
            out.append("</params>")
        out.append("</function>")
    out.append("</functions>")
    return "".join(out)


def format_sensitivity_result(calls, config, rng, perturb):
    """A reply in the configuration's return format, sometimes perturbed."""
    ret = config.split("&")[0].split("=")[1]
    tag = "tool_call_tag=True" in config
    kind = None
    if perturb:
        kind = rng.choice(["value", "drop_arg", "name", "extra_call", "no_tag", "other_format", "empty"])
        calls = [(n, dict(a)) for n, a in calls]
        if kind == "value" and calls and calls[0][1]:
            calls[0][1][rng.choice(sorted(calls[0][1]))] = "perturbed value"
        elif kind == "drop_arg" and calls and calls[0][1]:
            del calls[0][1][sorted(calls[0][1])[0]]
        elif kind == "name" and calls:
            calls[0] = (calls[0][0] + "_x", calls[0][1])
        elif kind == "extra_call":
            calls = calls + calls[:1]
        elif kind == "empty":
            return ""
    text = format_text(calls, "python" if kind == "other_format" and ret != "python" else ret)
    if tag and kind != "no_tag":
        text = "<TOOLCALL>" + text + "</TOOLCALL>"
    return text


def format_sensitivity_results(rng):
    """Result entries of format_sensitivity, in upstream's id order."""
    with open(os.path.join(DATA, "BFCL_v4_format_sensitivity.json")) as f:
        ids = json.load(f)
    out = []
    for cat, wanted in ids.items():
        for g in lines(os.path.join(DATA, "possible_answer", f"BFCL_v4_{cat}.json")):
            if g["id"] not in wanted:
                continue
            calls = gt_calls(g["ground_truth"])
            for config in FS_CONFIGS:
                res = format_sensitivity_result(calls, config, rng, rng.random() < 0.1)
                out.append({"id": f"format_sensitivity_{len(out)}:{config}:{g['id']}", "result": res, **usage(rng)})
    return out


def write(model, cat, entries):
    d = os.path.join(OUT, model, GROUP[cat])
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"BFCL_v4_{cat}_result.json"), "w") as f:
        for e in entries:
            f.write(json.dumps(e) + "\n")


def main():
    docs = {c: lines(os.path.join(DATA, "multi_turn_func_doc", f)) for c, f in DOC_FILES.items()}
    models = {
        # prompting model, every supported category
        "Qwen_Qwen3-8B": (False, AST_CATS + REL_CATS + MT_CATS + ["web_search_base", "web_search_no_snippet",
                                                                     "memory_kv", "memory_vector", "memory_rec_sum",
                                                                     "format_sensitivity"]),
        # function-calling model, a few categories (the others stay N/A)
        "gpt-4o-2024-11-20-FC": (True, ["simple_python", "parallel_multiple", "live_simple", "irrelevance",
                                        "live_relevance", "web_search_base", "memory_kv"]),
    }
    for model, (fc, cats) in models.items():
        for cat in cats:
            rng = random.Random(f"{model}/{cat}")
            out = []
            if cat in AST_CATS:
                gts = lines(os.path.join(DATA, "possible_answer", f"BFCL_v4_{cat}.json"))
                for g in gts:
                    res = ast_result(gt_calls(g["ground_truth"]), fc, rng, rng.random() < 0.06)
                    out.append({"id": g["id"], "result": res, **usage(rng)})
            elif cat == "format_sensitivity":
                out = format_sensitivity_results(rng)
            elif cat in REL_CATS:
                for e in lines(os.path.join(DATA, f"BFCL_v4_{cat}.json")):
                    res = relevance_result(cat, e, fc, rng.random() < 0.06)
                    out.append({"id": e["id"], "result": res, **usage(rng)})
            elif cat in MT_CATS:
                entries = lines(os.path.join(DATA, f"BFCL_v4_{cat}.json"))
                gts = lines(os.path.join(DATA, "possible_answer", f"BFCL_v4_{cat}.json"))
                rate = 0.015 if cat == "multi_turn_long_context" else 0.04
                for e, g in zip(entries, gts):
                    res = multi_turn_result(e, g["ground_truth"], docs, rng, rng.random() < rate)
                    out.append({"id": e["id"], "result": res, **usage(rng, res),
                                "inference_log": [{"begin_of_turn_query": "turn 0"}]})
            else:
                base = "web_search" if cat.startswith("web_search") else "memory"
                entries = lines(os.path.join(DATA, f"BFCL_v4_{base}.json"))
                gts = lines(os.path.join(DATA, "possible_answer", f"BFCL_v4_{base}.json"))
                for e, g in zip(entries, gts):
                    res = agentic_result(g["ground_truth"][0], fc, rng, rng.random() < 0.08)
                    out.append({"id": e["id"].replace(base, cat), "result": res, **usage(rng, res),
                                "inference_log": "log of " + e["id"]})
            write(model, cat, out)


main()
