#!/usr/bin/python3
"""Renders chat templates with Python's jinja2, set up as transformers'
apply_chat_template sets it up: the reference the Go renderer is compared
with (policy/chattemplate, docs/policy.md "Chat templates").

The environment: jinja2's ImmutableSandboxedEnvironment with
trim_blocks and lstrip_blocks, the loopcontrols extension and a
pass-through {% generation %} block; the tojson filter is json.dumps with
ensure_ascii off (transformers replaces jinja2's HTML-safe one);
raise_exception raises a TemplateError; strftime_now formats a fixed time
given in the request. Variables: messages, tools (None when absent),
documents (None), add_generation_prompt, the special tokens, and the extra
keyword arguments of each case (enable_thinking).

Reads one JSON request on standard input:
    {"template": SOURCE, "specials": {"eos_token": ...}, "now": ISO-TIME,
     "cases": [{"conversation": {"messages": [...], "tools": [...]},
                "add_generation_prompt": bool, "kwargs": {...}}, ...]}
and writes a JSON list with {"text": ...} or {"error": ...} per case.
Run with Debian's /usr/bin/python3 (python3-jinja2).
"""

import json
import sys
from datetime import datetime

import jinja2
import jinja2.ext
import jinja2.nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment


class Generation(jinja2.ext.Extension):
    """{% generation %}...{% endgeneration %} renders its body unchanged."""

    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(("name:endgeneration",), drop_needle=True)
        return jinja2.nodes.Scope(body).set_lineno(lineno)


def environment(now):
    env = ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=[Generation, jinja2.ext.loopcontrols]
    )

    def tojson(value, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(value, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def strftime_now(fmt):
        return now.strftime(fmt)

    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def main():
    req = json.load(sys.stdin)
    env = environment(datetime.fromisoformat(req["now"]))
    template = env.from_string(req["template"])
    out = []
    for case in req["cases"]:
        conv = case["conversation"]
        if isinstance(conv, list):
            conv = {"messages": conv}
        variables = dict(req.get("specials") or {})
        variables.update(case.get("kwargs", {}))
        try:
            text = template.render(
                messages=conv["messages"],
                tools=conv.get("tools"),
                documents=None,
                add_generation_prompt=case["add_generation_prompt"],
                **variables,
            )
            out.append({"text": text})
        except Exception as e:  # the Go side only needs to know it failed
            out.append({"error": "%s: %s" % (type(e).__name__, e)})
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
