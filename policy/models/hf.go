package models

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/seeupo/seeupo/policy/safetensors"
	"github.com/seeupo/seeupo/policy/tokenizer"
	"github.com/seeupo/seeupo/policy/transformer"
)

// Files of a Hugging Face model directory beside config.json and the
// weights.
const (
	TokenizerConfigFile  = "tokenizer_config.json"
	GenerationConfigFile = "generation_config.json"
	ChatTemplateFile     = "chat_template.jinja"
	SpecialTokensFile    = "special_tokens_map.json"
)

// tokenizerFiles are the files a checkpoint's tokenizer and chat template
// live in; a saved directory copies them from its source unchanged.
var tokenizerFiles = []string{TokenizerFile, TokenizerConfigFile, GenerationConfigFile, ChatTemplateFile, SpecialTokensFile,
	"vocab.json", "merges.txt"}

// ChatMLTemplate is the Jinja form of tokenizer.ChatML, the template the
// project's own tokenizers are trained for: per message
// "<|im_start|>role\ncontent<|im_end|>\n", then "<|im_start|>assistant\n"
// with add_generation_prompt. It is written as the chat_template of the
// tokenizer_config.json of a model without a source checkpoint.
const ChatMLTemplate = "{%- for message in messages %}" +
	"{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}" +
	"{%- endfor %}" +
	"{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"

// SaveDir writes a Hugging Face model directory that transformers loads
// as is: config.json and model.safetensors in dtype (transformer.Save),
// then the tokenizer's files. With src (a model directory the model came
// from, such as a pretrained checkpoint), its tokenizer.json,
// tokenizer_config.json (and so its chat template), generation_config.json,
// chat_template.jinja and special_tokens_map.json are copied unchanged;
// without one, or for a file src lacks, they are written from tok
// (WriteTokenizerFiles).
func SaveDir(dir string, m *transformer.Model, tok *tokenizer.Tokenizer, src string, dtype safetensors.DType) error {
	if err := m.Save(dir, dtype); err != nil {
		return err
	}
	return WriteTokenizerFiles(dir, tok, m.Config(), src)
}

// WriteTokenizerFiles writes the tokenizer's files of a model directory:
// those of src copied (when src is not empty and not dir), the rest
// generated: tokenizer.json from tok; tokenizer_config.json with the
// special tokens, ChatMLTemplate as chat_template and the context length;
// generation_config.json with the end-of-turn and end-of-text tokens as
// eos_token_id.
func WriteTokenizerFiles(dir string, tok *tokenizer.Tokenizer, cfg transformer.Config, src string) error {
	have := map[string]bool{}
	if src != "" && filepath.Clean(src) != filepath.Clean(dir) {
		for _, name := range tokenizerFiles {
			b, err := os.ReadFile(filepath.Join(src, name))
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				return err
			}
			have[name] = true
		}
	}
	if !have[TokenizerFile] {
		if err := tok.Save(filepath.Join(dir, TokenizerFile)); err != nil {
			return err
		}
	}
	if !have[TokenizerConfigFile] {
		if err := writeJSON(filepath.Join(dir, TokenizerConfigFile), tokenizerConfig(tok, cfg)); err != nil {
			return err
		}
	}
	if !have[GenerationConfigFile] {
		if err := writeJSON(filepath.Join(dir, GenerationConfigFile), generationConfig(tok, cfg)); err != nil {
			return err
		}
	}
	return nil
}

// addedToken is an entry of tokenizer_config.json's added_tokens_decoder.
type addedToken struct {
	Content    string `json:"content"`
	LStrip     bool   `json:"lstrip"`
	Normalized bool   `json:"normalized"`
	RStrip     bool   `json:"rstrip"`
	SingleWord bool   `json:"single_word"`
	Special    bool   `json:"special"`
}

// tokenizerConfig is the tokenizer_config.json of a project tokenizer, in
// the shape of Qwen's (Qwen2Tokenizer, ChatML special tokens).
func tokenizerConfig(tok *tokenizer.Tokenizer, cfg transformer.Config) map[string]any {
	decoder := map[string]addedToken{}
	var extra []string
	for _, s := range tokenizer.DefaultSpecials {
		if id, ok := tok.SpecialID(s); ok {
			decoder[strconv.Itoa(id)] = addedToken{Content: s, Special: true}
			if s != tokenizer.EndOfText {
				extra = append(extra, s)
			}
		}
	}
	out := map[string]any{
		"added_tokens_decoder":         decoder,
		"additional_special_tokens":    extra,
		"bos_token":                    nil,
		"chat_template":                ChatMLTemplate,
		"clean_up_tokenization_spaces": false,
		"errors":                       "replace",
		"model_max_length":             cfg.MaxPositionEmbeddings,
		"split_special_tokens":         false,
		"tokenizer_class":              "Qwen2Tokenizer",
		"unk_token":                    nil,
		"eos_token":                    nil,
		"pad_token":                    nil,
	}
	if _, ok := tok.SpecialID(tokenizer.IMEnd); ok {
		out["eos_token"] = tokenizer.IMEnd
	}
	if _, ok := tok.SpecialID(tokenizer.EndOfText); ok {
		out["pad_token"] = tokenizer.EndOfText
	}
	return out
}

// generationConfig is the generation_config.json of a project model: the
// end-of-turn and end-of-text tokens end generation.
func generationConfig(tok *tokenizer.Tokenizer, cfg transformer.Config) map[string]any {
	var eos []int
	for _, s := range []string{tokenizer.IMEnd, tokenizer.EndOfText} {
		if id, ok := tok.SpecialID(s); ok {
			eos = append(eos, id)
		}
	}
	out := map[string]any{"transformers_version": "4.51.0", "eos_token_id": eos}
	if id, ok := tok.SpecialID(tokenizer.EndOfText); ok {
		out["pad_token_id"] = id
	}
	if cfg.BOSTokenID != nil {
		out["bos_token_id"] = *cfg.BOSTokenID
	}
	return out
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
