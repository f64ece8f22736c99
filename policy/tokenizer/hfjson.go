package tokenizer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

type bpeModel struct {
	Type string `json:"type"`
	modelOptions
	Vocab  json.RawMessage `json:"vocab"`
	Merges []any           `json:"merges"`
}

type tokenizerFile struct {
	Version       string          `json:"version"`
	Truncation    json.RawMessage `json:"truncation"`
	Padding       json.RawMessage `json:"padding"`
	AddedTokens   []AddedToken    `json:"added_tokens"`
	Normalizer    json.RawMessage `json:"normalizer"`
	PreTokenizer  json.RawMessage `json:"pre_tokenizer"`
	PostProcessor json.RawMessage `json:"post_processor"`
	Decoder       json.RawMessage `json:"decoder"`
	Model         bpeModel        `json:"model"`
}

var null = json.RawMessage("null")

func orNull(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return null
	}
	return raw
}

// MarshalJSON writes the Hugging Face tokenizer.json form: the BPE model
// (vocabulary in id order, merges as "a b"), the added tokens with their
// flags, and the normalizer, pre-tokenizer, post-processor and decoder as
// they were read (a trained tokenizer: no normalizer, the GPT-2 ByteLevel
// pre-tokenizer and decoder).
func (t *Tokenizer) MarshalJSON() ([]byte, error) {
	byID := make([]string, len(t.tokens))
	for tok, id := range t.vocab {
		byID[id] = tok
	}
	var vocab bytes.Buffer
	vocab.WriteByte('{')
	first := true
	for id, tok := range byID {
		if tok == "" {
			continue
		}
		k, _ := json.Marshal(tok)
		if !first {
			vocab.WriteByte(',')
		}
		first = false
		fmt.Fprintf(&vocab, "%s:%d", k, id)
	}
	vocab.WriteByte('}')
	merges := make([]any, len(t.merges))
	for i, m := range t.merges {
		merges[i] = m[0] + " " + m[1]
	}
	added := t.added
	if added == nil {
		added = []AddedToken{}
	}
	f := tokenizerFile{
		Version: "1.0", Truncation: orNull(t.truncation), Padding: orNull(t.padding), AddedTokens: added,
		Normalizer: orNull(t.normalizer), PreTokenizer: t.preTokenizer, PostProcessor: orNull(t.postProcessor),
		Decoder: orNull(t.decoder),
		Model:   bpeModel{Type: "BPE", modelOptions: t.model, Vocab: vocab.Bytes(), Merges: merges},
	}
	return json.Marshal(f)
}

// Save writes tokenizer.json.
func (t *Tokenizer) Save(path string) error {
	b, err := t.MarshalJSON()
	if err != nil {
		return err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		return err
	}
	out.WriteByte('\n')
	return os.WriteFile(path, out.Bytes(), 0o644)
}

// Load reads a Hugging Face tokenizer.json holding a byte-level BPE model.
func Load(path string) (*Tokenizer, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	t, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// Parse reads the tokenizer.json form of a byte-level BPE: model.type BPE
// (merges as "a b" strings or [a, b] pairs; no dropout, no byte fallback,
// no subword prefix or suffix), the normalizers normalizerOf accepts, a
// ByteLevel or Qwen Split+ByteLevel pre-tokenizer, a ByteLevel decoder and
// no post-processor but ByteLevel (which changes no ids). Anything else is
// an error naming the field and what is supported, rather than a
// tokenizer that silently encodes differently.
func Parse(b []byte) (*Tokenizer, error) {
	var f tokenizerFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, err
	}
	if f.Model.Type != "BPE" {
		return nil, fmt.Errorf("model.type %q: only BPE is supported", f.Model.Type)
	}
	var dec struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(orNull(f.Decoder), &dec); err != nil || dec.Type != "ByteLevel" {
		return nil, fmt.Errorf("decoder.type %q: only ByteLevel is supported", dec.Type)
	}
	if err := checkModel(f.Model.modelOptions); err != nil {
		return nil, err
	}
	if err := checkPostProcessor(f.PostProcessor); err != nil {
		return nil, err
	}
	var vocab map[string]int
	if err := json.Unmarshal(f.Model.Vocab, &vocab); err != nil {
		return nil, fmt.Errorf("model.vocab: %w", err)
	}
	size := 0
	for _, id := range vocab {
		if id < 0 {
			return nil, fmt.Errorf("model.vocab: negative id %d", id)
		}
		size = max(size, id+1)
	}
	tokens := make([]string, size)
	for tok, id := range vocab {
		if tokens[id] != "" {
			return nil, fmt.Errorf("model.vocab: id %d is given to both %q and %q", id, tokens[id], tok)
		}
		tokens[id] = tok
	}
	merges := make([][2]string, len(f.Model.Merges))
	for i, m := range f.Model.Merges {
		pair, err := parseMerge(m)
		if err != nil {
			return nil, fmt.Errorf("model.merges[%d]: %w", i, err)
		}
		merges[i] = pair
	}
	normalize, err := normalizerOf(f.Normalizer)
	if err != nil {
		return nil, err
	}
	t, err := newTokenizer(tokens, merges, f.AddedTokens)
	if err != nil {
		return nil, err
	}
	if t.split, err = preTokenizerOf(f.PreTokenizer); err != nil {
		return nil, err
	}
	t.normalize, t.normalizer = normalize, f.Normalizer
	t.buildMatchers() // the normalised added tokens match their normalised form
	t.preTokenizer, t.decoder, t.postProcessor = f.PreTokenizer, f.Decoder, f.PostProcessor
	t.truncation, t.padding, t.model = f.Truncation, f.Padding, f.Model.modelOptions
	return t, nil
}

// checkModel refuses BPE settings that would change how words are split.
func checkModel(m modelOptions) error {
	if m.Dropout != nil && *m.Dropout != 0 {
		return fmt.Errorf("model.dropout %v: only null or 0 is supported", *m.Dropout)
	}
	if m.ByteFallback {
		return fmt.Errorf("model.byte_fallback true: only false is supported (a byte-level BPE needs no fallback)")
	}
	if m.ContinuingSubwordPrefix != nil && *m.ContinuingSubwordPrefix != "" {
		return fmt.Errorf("model.continuing_subword_prefix %q: only null or \"\" is supported", *m.ContinuingSubwordPrefix)
	}
	if m.EndOfWordSuffix != nil && *m.EndOfWordSuffix != "" {
		return fmt.Errorf("model.end_of_word_suffix %q: only null or \"\" is supported", *m.EndOfWordSuffix)
	}
	return nil
}

// checkPostProcessor accepts no post-processor or a ByteLevel one (which
// only trims offsets); one that adds tokens is refused.
func checkPostProcessor(raw json.RawMessage) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var p struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return fmt.Errorf("post_processor: %w", err)
	}
	if p.Type != "ByteLevel" {
		return fmt.Errorf("post_processor.type %q: supported are null and ByteLevel", p.Type)
	}
	return nil
}

// gpt2PreTokenizer is the tokenizer.json form of the GPT-2 byte-level
// pre-tokenizer (and of the ByteLevel decoder).
var gpt2PreTokenizer = json.RawMessage(`{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":true}`)

// QwenPattern is the Split regex of the Qwen2/Qwen2.5/Qwen3 tokenizers.
const QwenPattern = `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`

type preStep struct {
	Type          string                  `json:"type"`
	AddPrefix     bool                    `json:"add_prefix_space"`
	UseRegex      *bool                   `json:"use_regex"`
	Pattern       *struct{ Regex string } `json:"pattern"`
	PreTokenizers []preStep               `json:"pretokenizers"`
}

// preTokenizerOf recognises the two byte-level pre-tokenizers in use: a
// ByteLevel step with its GPT-2 regex, and Qwen's Sequence of a Split on
// QwenPattern and a ByteLevel step without regex.
func preTokenizerOf(raw json.RawMessage) (func(string) []string, error) {
	var p preStep
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("pre_tokenizer: %w", err)
	}
	byteLevel := func(s preStep, regex bool) bool {
		return s.Type == "ByteLevel" && !s.AddPrefix && (s.UseRegex == nil || *s.UseRegex) == regex
	}
	switch {
	case byteLevel(p, true):
		return splitWords, nil
	case p.Type == "Sequence" && len(p.PreTokenizers) == 2 && p.PreTokenizers[0].Type == "Split" &&
		p.PreTokenizers[0].Pattern != nil && p.PreTokenizers[0].Pattern.Regex == QwenPattern && byteLevel(p.PreTokenizers[1], false):
		return splitWordsQwen, nil
	}
	return nil, fmt.Errorf("pre_tokenizer %s: supported are ByteLevel (GPT-2 regex, no prefix space) and Qwen's Split+ByteLevel sequence", raw)
}

func parseMerge(m any) ([2]string, error) {
	switch v := m.(type) {
	case string:
		a, b, ok := strings.Cut(v, " ")
		if !ok {
			return [2]string{}, fmt.Errorf("%q is not two tokens separated by a space", v)
		}
		return [2]string{a, b}, nil
	case []any:
		if len(v) == 2 {
			a, ok1 := v[0].(string)
			b, ok2 := v[1].(string)
			if ok1 && ok2 {
				return [2]string{a, b}, nil
			}
		}
	}
	return [2]string{}, fmt.Errorf("%v is neither \"a b\" nor [\"a\", \"b\"]", m)
}
