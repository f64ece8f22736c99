package tokenizer

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// normalizerStep is a tokenizer.json normalizer (one of a Sequence).
type normalizerStep struct {
	Type        string           `json:"type"`
	Normalizers []normalizerStep `json:"normalizers"`
	Prepend     string           `json:"prepend"`
	Content     string           `json:"content"`
	Pattern     *struct {
		String *string `json:"String"`
		Regex  *string `json:"Regex"`
	} `json:"pattern"`
	StripLeft  bool `json:"strip_left"`
	StripRight bool `json:"strip_right"`
}

// supportedNormalizers lists the normalizer types normalizerOf accepts.
const supportedNormalizers = "null, NFC, NFD, NFKC, NFKD, Strip, Prepend, Replace (String pattern) and Sequence of these"

// normalizerOf turns tokenizer.json's normalizer into a function (nil for
// none).
func normalizerOf(raw json.RawMessage) (func(string) string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var s normalizerStep
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("normalizer: %w", err)
	}
	f, err := s.build()
	if err != nil {
		return nil, fmt.Errorf("normalizer: %w (supported: %s)", err, supportedNormalizers)
	}
	return f, nil
}

func (s normalizerStep) build() (func(string) string, error) {
	switch s.Type {
	case "NFC":
		return norm.NFC.String, nil
	case "NFD":
		return norm.NFD.String, nil
	case "NFKC":
		return norm.NFKC.String, nil
	case "NFKD":
		return norm.NFKD.String, nil
	case "Strip":
		left, right := s.StripLeft, s.StripRight
		return func(t string) string {
			if left {
				t = strings.TrimLeftFunc(t, unicode.IsSpace)
			}
			if right {
				t = strings.TrimRightFunc(t, unicode.IsSpace)
			}
			return t
		}, nil
	case "Prepend":
		p := s.Prepend
		return func(t string) string {
			if t == "" {
				return t
			}
			return p + t
		}, nil
	case "Replace":
		if s.Pattern == nil || s.Pattern.String == nil {
			return nil, fmt.Errorf("type Replace: only a String pattern is supported")
		}
		from, to := *s.Pattern.String, s.Content
		if from == "" {
			return nil, fmt.Errorf("type Replace: empty pattern")
		}
		return func(t string) string { return strings.ReplaceAll(t, from, to) }, nil
	case "Sequence":
		steps := make([]func(string) string, len(s.Normalizers))
		for i, n := range s.Normalizers {
			f, err := n.build()
			if err != nil {
				return nil, fmt.Errorf("normalizers[%d]: %w", i, err)
			}
			steps[i] = f
		}
		return func(t string) string {
			for _, f := range steps {
				t = f(t)
			}
			return t
		}, nil
	}
	return nil, fmt.Errorf("type %q is not supported", s.Type)
}
