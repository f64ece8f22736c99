// Command tinyqwen writes a tiny Qwen3-shaped Hugging Face checkpoint for
// tests and smoke runs of model.checkpoint:
//
//	go run ./cmd/seeupo/testdata/tinyqwen [-data DATA_DIR] [-vocab N] DIR
//
// It trains a byte-level BPE tokenizer (the project's, written as a Hugging
// Face tokenizer.json with the ChatML special tokens) on the BFCL v4
// function docs and questions under DATA_DIR/bfcl_v4 when given, and on a
// few built-in lines, then runs hf_checkpoint.py (beside this folder) with
// /usr/bin/python3 and torch to write the PyTorch side: config.json, BF16
// weights in two shards with their index, tokenizer_config.json with a chat
// template and generation_config.json.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/seeupo/seeupo/policy/tokenizer"
)

// builtin lines keep the tokenizer useful without the BFCL data.
var builtin = []string{
	"system\nYou are a helpful assistant. Call the functions you are given.",
	"user\nWhat is the square root of 16? Then add 3 to the result.",
	"assistant\n[square_root(number=16)]", "assistant\n[add(a=4, b=3)]", "assistant\nDone.",
	"tool\n{\"result\": 4.0}", "tool\n{\"result\": 7}",
	`{"name": "mean", "description": "Calculate the mean of a list of numbers.", "parameters": {"type": "dict", "properties": {"numbers": {"type": "array", "items": {"type": "float"}}}, "required": ["numbers"]}}`,
}

func main() {
	data := flag.String("data", "", "data directory holding bfcl_v4/ (its function docs and questions train the tokenizer)")
	vocab := flag.Int("vocab", 1024, "tokenizer size, special tokens included")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: tinyqwen [-data DATA_DIR] [-vocab N] DIR")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *data, *vocab); err != nil {
		fmt.Fprintln(os.Stderr, "tinyqwen:", err)
		os.Exit(1)
	}
}

func run(dir, data string, vocab int) error {
	corpus := append([]string(nil), builtin...)
	if data != "" {
		bfcl := filepath.Join(data, "bfcl_v4")
		docs, _ := filepath.Glob(filepath.Join(bfcl, "multi_turn_func_doc", "*.json"))
		for _, f := range append(docs, filepath.Join(bfcl, "BFCL_v4_multi_turn_base.json")) {
			b, err := os.ReadFile(f)
			if err != nil {
				return err
			}
			corpus = append(corpus, strings.Split(string(b), "\n")...)
		}
	}
	tok, err := tokenizer.Train(corpus, vocab, nil)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := tok.Save(filepath.Join(dir, "tokenizer.json")); err != nil {
		return err
	}
	_, self, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(self), "..", "hf_checkpoint.py")
	out, err := exec.Command("/usr/bin/python3", script, "write", dir).CombinedOutput()
	if err != nil {
		return fmt.Errorf("hf_checkpoint.py: %v\n%s", err, out)
	}
	fmt.Printf("wrote %s: tokenizer of %d tokens, Qwen3 checkpoint in BF16\n", dir, tok.VocabSize())
	return nil
}
