"""Runs calls on upstream's WebSearchAPI through upstream's
execute_multi_turn_func_call, for TestWebSearchDifferentialAgainstUpstream
(bfcl/backends/websearch).

Usage: python3 websearch_differential.py <berkeley-function-call-leaderboard folder> <search URL>

Each input line is {"show_snippet": bool, "calls": [call, ...]}; each
output line is {"outputs": [...]}. Pages are fetched with the real
requests package. Stand-ins: serpapi.GoogleSearch asks <search URL> with
the parameters upstream passes and returns the JSON it answers (the real
client asks serpapi.com); html2text and bs4 are inert (the markdown and
truncate modes are not compared).
"""
import json
import sys
import types

import requests


def stand_ins(search_url):
    class GoogleSearch:
        def __init__(self, params):
            self.params = params

        def get_dict(self):
            return requests.get(search_url, params=self.params, timeout=20).json()

    serpapi = types.ModuleType("serpapi")
    serpapi.GoogleSearch = GoogleSearch
    sys.modules["serpapi"] = serpapi
    h2t = types.ModuleType("html2text")
    h2t.HTML2Text = object
    sys.modules["html2text"] = h2t
    bs4 = types.ModuleType("bs4")
    bs4.BeautifulSoup = object
    sys.modules["bs4"] = bs4


def main():
    sys.path.insert(0, sys.argv[1])
    stand_ins(sys.argv[2])
    from bfcl_eval.eval_checker.multi_turn_eval import multi_turn_utils as utils

    g = vars(utils)
    for n, line in enumerate(sys.stdin):
        case = json.loads(line)
        entry = "diff_%d" % n
        config = {"WebSearchAPI": {"show_snippet": case["show_snippet"]}}
        outputs = []
        for call in case["calls"]:
            out, _ = utils.execute_multi_turn_func_call([call], config, ["WebSearchAPI"], "seeupo", entry)
            outputs.append(out[0])
        for key in [k for k in g if k.endswith("_instance")]:
            del g[key]
        print(json.dumps({"outputs": outputs}), flush=True)


main()
