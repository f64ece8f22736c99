package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/seeupo/seeupo/bfcl"
)

func init() { register("bfcl", newBfclEvaluateCmd) }

func newBfclEvaluateCmd(a *app) *cobra.Command {
	var resultDir, scoreDir, infoFile string
	var models, categories []string
	var partial bool
	c := &cobra.Command{
		Use:   "evaluate",
		Short: "Score BFCL result folders into upstream's score files and leaderboard CSVs",
		Long: `Score the result files of a result folder (one folder per model, each with
BFCL_v4_<category>_result.json files, as upstream's bfcl generate and seeupo
bfcl generate write them) the way upstream's bfcl evaluate does: each
category's score file <score-dir>/<model>/<group>/BFCL_v4_<category>_score.json
(a header line with accuracy, correct_count and total_count, then one line
per failed entry), and the leaderboard CSVs data_overall.csv,
data_non_live.csv, data_live.csv, data_multi_turn.csv, data_agentic.csv and
data_format_sensitivity.csv over every score file in the score folder, with
BFCL v4's overall accuracy (non-live 10%, live 10%, irrelevance 10%,
multi-turn 30%, agentic 40%).

A model folder's results are decoded as prompting output (Python call
syntax) unless its name contains "FC" (upstream's rule) or --model-info says
is_fc_model: function-calling output is a list of {name: JSON arguments}.
--model-info is a JSON object from model folder name to upstream's model
facts (display_name, url, org, license, input_price, output_price,
is_fc_model, underscore_to_dot); a folder it does not name is shown under
its own name with "_" read as "/", and its cost is estimated from latency as
upstream does for local models.

format_sensitivity replies are decoded in the return format (python, json,
verbose_xml, concise_xml) and tool-call tag their id's configuration names;
its score file adds each configuration's accuracy and their spread.
simple_java and simple_javascript prompting replies are decoded as
upstream's tree-sitter parsers read them (the subset of those languages
that calls use).`,
		Example: `  seeupo bfcl evaluate --result-dir result --score-dir score
  seeupo bfcl evaluate --result-dir result --score-dir score --categories multi_turn,live --model Qwen_Qwen3-8B`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cats, err := bfcl.ParseTestCategories(splitList(categories))
			if err != nil {
				return fmt.Errorf("--categories: %w", err)
			}
			info, err := loadModelInfo(infoFile)
			if err != nil {
				return err
			}
			r, err := a.config()
			if err != nil {
				return err
			}
			sc := bfcl.NewScorer(bfcl.Upstream{Dir: filepath.Join(r.DataDir, "bfcl_v4")})
			if err := os.MkdirAll(scoreDir, 0o755); err != nil {
				return err
			}
			scores, err := sc.Evaluate(bfcl.ScoreOptions{ResultDir: resultDir, ScoreDir: scoreDir, Models: splitList(models),
				Categories: cats, PartialEval: partial, Info: info, Log: a.stderr})
			if err != nil {
				return err
			}
			a.printf("%d categories scored; score files and leaderboard CSVs in %s\n", len(scores), scoreDir)
			return nil
		},
	}
	c.Flags().StringVar(&resultDir, "result-dir", "result", "folder with one result folder per model")
	c.Flags().StringVar(&scoreDir, "score-dir", "score", "folder that receives the score files and CSVs")
	c.Flags().StringSliceVar(&models, "model", nil, "model folders to score (default: all)")
	c.Flags().StringSliceVar(&categories, "categories", []string{"all"}, "categories or collections (all, all_scoring, single_turn, live, non_live, multi_turn, agentic, memory, web_search, python, non_python)")
	c.Flags().BoolVar(&partial, "partial-eval", false, "accept result files that hold only some entries of a category")
	c.Flags().StringVar(&infoFile, "model-info", "", "JSON file: model folder name -> {display_name, url, org, license, input_price, output_price, is_fc_model, underscore_to_dot}")
	return c
}

// splitList splits comma-separated flag values; nil stays nil.
func splitList(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// loadModelInfo reads a --model-info file; folders it does not name get
// bfcl.DefaultModelInfo.
func loadModelInfo(path string) (func(string) (bfcl.ModelInfo, error), error) {
	known := map[string]bfcl.ModelInfo{}
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("--model-info: %w", err)
		}
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(data, &raw); err != nil {
			return nil, fmt.Errorf("--model-info %s: want a JSON object from model folder name to model facts: %w", path, err)
		}
		for name, r := range raw {
			mi := bfcl.DefaultModelInfo(name)
			dec := json.NewDecoder(strings.NewReader(string(r)))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&mi); err != nil {
				return nil, fmt.Errorf("--model-info %s: model %q: %w (fields: display_name, url, org, license, input_price, output_price, is_fc_model, underscore_to_dot)", path, name, err)
			}
			known[name] = mi
		}
	}
	return func(folder string) (bfcl.ModelInfo, error) {
		if mi, ok := known[folder]; ok {
			return mi, nil
		}
		return bfcl.DefaultModelInfo(folder), nil
	}, nil
}
