package tokenizer

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
)

// The fidelity check: testdata/fidelity/tokenizer.json (a small
// tokenizer.json in Qwen's form: NFC normaliser, Qwen's Split+ByteLevel
// pre-tokenizer, special and non-special added tokens with every flag)
// encodes and decodes testdata/fidelity/corpus.json exactly as
// testdata/hf_reference.py does; golden.json is that script's output.
//
//	go test ./policy/tokenizer -run TestFidelity -update
//
// rebuilds the fixture tokenizer and reruns the reference (it needs
// /usr/bin/python3 with python3-regex).

var update = flag.Bool("update", false, "rebuild testdata/fidelity (fixture tokenizer and golden file from hf_reference.py)")

const (
	fidelityDir     = "testdata/fidelity"
	referenceScript = "testdata/hf_reference.py"
	debianPython    = "/usr/bin/python3"
)

type goldenEntry struct {
	Text               string  `json:"text"`
	IDs                []int   `json:"ids"`
	BytesHex           string  `json:"bytes_hex"`
	Decoded            string  `json:"decoded"`
	DecodedSkipSpecial string  `json:"decoded_skip_special"`
	WithoutFirst       *string `json:"decoded_without_first"`
	WithoutLast        *string `json:"decoded_without_last"`
}

func TestFidelityAgainstReference(t *testing.T) {
	tokPath := filepath.Join(fidelityDir, "tokenizer.json")
	corpusPath := filepath.Join(fidelityDir, "corpus.json")
	goldenPath := filepath.Join(fidelityDir, "golden.json")
	if *update {
		tok, err := buildFidelityTokenizer(corpusPath)
		if err != nil {
			t.Fatal(err)
		}
		if err := tok.Save(tokPath); err != nil {
			t.Fatal(err)
		}
		out, err := runReference(tokPath, corpusPath)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(goldenPath, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tok, err := Load(tokPath)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(goldenPath)
	if err != nil {
		t.Fatal(err)
	}
	var golden []goldenEntry
	if err := json.Unmarshal(b, &golden); err != nil {
		t.Fatal(err)
	}
	if len(golden) < 40 {
		t.Fatalf("%s holds %d entries, want the whole corpus", goldenPath, len(golden))
	}
	compareWithGolden(t, tok, golden)
}

func compareWithGolden(t *testing.T, tok *Tokenizer, golden []goldenEntry) {
	t.Helper()
	for i, g := range golden {
		name := fmt.Sprintf("%d %.30q", i, g.Text)
		if got := tok.Encode(g.Text); !reflect.DeepEqual(got, g.IDs) && !(len(got) == 0 && len(g.IDs) == 0) {
			t.Errorf("%s: Encode = %v, reference %v", name, got, g.IDs)
			continue
		}
		raw, err := tok.Decode(g.IDs)
		if err != nil {
			t.Errorf("%s: Decode: %v", name, err)
			continue
		}
		if got := hex.EncodeToString([]byte(raw)); got != g.BytesHex {
			t.Errorf("%s: Decode bytes %s, reference %s", name, got, g.BytesHex)
		}
		checks := []struct {
			what string
			ids  []int
			skip bool
			want *string
		}{
			{"DecodeString", g.IDs, false, &g.Decoded},
			{"DecodeString(skip special)", g.IDs, true, &g.DecodedSkipSpecial},
			{"DecodeString(without the first id)", tail(g.IDs), false, g.WithoutFirst},
			{"DecodeString(without the last id)", head(g.IDs), false, g.WithoutLast},
		}
		for _, c := range checks {
			if c.want == nil {
				continue
			}
			got, err := tok.DecodeString(c.ids, c.skip)
			if err != nil || got != *c.want {
				t.Errorf("%s: %s = %q (%v), reference %q", name, c.what, got, err, *c.want)
			}
		}
	}
}

func tail(ids []int) []int {
	if len(ids) == 0 {
		return nil
	}
	return ids[1:]
}

func head(ids []int) []int {
	if len(ids) == 0 {
		return nil
	}
	return ids[:len(ids)-1]
}

// runReference runs hf_reference.py on a tokenizer.json and a corpus.
func runReference(tokPath, corpusPath string) ([]byte, error) {
	cmd := exec.Command(debianPython, referenceScript, tokPath, corpusPath)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s %s: %v\n%s(it needs Debian's python3 and python3-regex)", debianPython, referenceScript, err, stderr.String())
	}
	return out, nil
}

// referenceAvailable says why the reference cannot run here, or "".
func referenceAvailable() string {
	if err := exec.Command(debianPython, "-c", "import regex").Run(); err != nil {
		return fmt.Sprintf("%s with python3-regex is not available (%v)", debianPython, err)
	}
	return ""
}

// buildFidelityTokenizer trains a small BPE on the corpus (plus some
// filler) and dresses it as a Qwen tokenizer.json: NFC, Qwen's
// pre-tokenizer, ByteLevel post-processor and decoder, Qwen's added tokens
// and a few with the single_word/lstrip/rstrip/normalized flags.
func buildFidelityTokenizer(corpusPath string) (*Tokenizer, error) {
	b, err := os.ReadFile(corpusPath)
	if err != nil {
		return nil, err
	}
	var corpus []string
	if err := json.Unmarshal(b, &corpus); err != nil {
		return nil, err
	}
	training := append([]string{}, corpus...)
	for i := 0; i < 40; i++ {
		training = append(training, fmt.Sprintf("the weather in Paris is %d degrees; 天气很好 %d; naïve café résumé\n", i, i*7),
			fmt.Sprintf("<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"City%d\"}}\n</tool_call>", i),
			"こんにちは世界 안녕하세요 Ελληνικά кириллица 👍🏽 🎉 emoji and the user said hello to the assistant",
			"def function(argument):\n    return argument * 2  # comment\n")
	}
	base, err := Train(training, 900, []string{EndOfText, IMStart, IMEnd})
	if err != nil {
		return nil, err
	}
	raw, err := base.MarshalJSON()
	if err != nil {
		return nil, err
	}
	var f map[string]any
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, err
	}
	next := base.VocabSize()
	theID, ok := base.vocab["the"]
	if !ok {
		return nil, fmt.Errorf("the trained vocabulary lacks \"the\"")
	}
	added := f["added_tokens"].([]any)
	add := func(id int, content string, special, normalized, single, lstrip, rstrip bool) {
		added = append(added, map[string]any{"id": id, "content": content, "special": special, "normalized": normalized,
			"single_word": single, "lstrip": lstrip, "rstrip": rstrip})
	}
	for _, c := range []string{"<tool_call>", "</tool_call>", "<think>", "</think>"} {
		add(next, c, false, false, false, false, false)
		next++
	}
	add(next, "[MASK]", true, false, true, true, true)
	add(next+1, "<sep>", true, false, false, false, true)
	add(next+2, "<lft>", true, false, false, true, false)
	add(next+3, "café", false, true, false, false, false)
	add(next+4, "<é>", false, false, false, false, false)
	add(theID, "the", false, true, true, false, false)
	f["added_tokens"] = added
	f["normalizer"] = map[string]any{"type": "NFC"}
	qwen := fmt.Sprintf(`{"type":"Sequence","pretokenizers":[{"type":"Split","pattern":{"Regex":%s},"behavior":"Isolated","invert":false},`+
		`{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":false,"use_regex":false}]}`, jsonString(QwenPattern))
	f["pre_tokenizer"] = json.RawMessage(qwen)
	byteLevel := json.RawMessage(`{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":false,"use_regex":false}`)
	f["post_processor"], f["decoder"] = byteLevel, byteLevel
	out, err := json.Marshal(f)
	if err != nil {
		return nil, err
	}
	return Parse(out)
}

// QwenTokenizerEnv names a published Qwen tokenizer.json (Qwen2.5 or
// Qwen3, about 7 and 11 MB, not kept in the repository) to check the same
// corpus against, with the reference run live.
const QwenTokenizerEnv = "SEEUPO_QWEN_TOKENIZER"

func TestFidelityPublishedQwenTokenizer(t *testing.T) {
	path := os.Getenv(QwenTokenizerEnv)
	if path == "" {
		t.Skipf("set %s to a published Qwen tokenizer.json to check it against %s", QwenTokenizerEnv, referenceScript)
	}
	if why := referenceAvailable(); why != "" {
		t.Skip(why)
	}
	tok, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	out, err := runReference(path, filepath.Join(fidelityDir, "corpus.json"))
	if err != nil {
		t.Fatal(err)
	}
	var golden []goldenEntry
	if err := json.Unmarshal(out, &golden); err != nil {
		t.Fatal(err)
	}
	compareWithGolden(t, tok, golden)
}
