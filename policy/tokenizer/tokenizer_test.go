package tokenizer

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestSplitWords(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"Hello world", []string{"Hello", " world"}},
		{"I'm  here\n\nok", []string{"I", "'m", " ", " here", "\n", "\n", "ok"}},
		{"x = 3.14!", []string{"x", " =", " 3", ".", "14", "!"}},
		{"trailing  ", []string{"trailing", "  "}},
		{"they'll go", []string{"they", "'ll", " go"}},
		{"héllo wörld", []string{"héllo", " wörld"}},
	}
	for _, c := range cases {
		if got := splitWords(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("splitWords(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// The merges of a corpus small enough to count by hand: pairs (a,b) occur
// 4 times, then (Ġ,ab) twice, then nothing twice.
func TestTrainKnownMerges(t *testing.T) {
	tok, err := Train([]string{"ab ab ab", "abc"}, 1000, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]string{{"a", "b"}, {"Ġ", "ab"}}
	if !reflect.DeepEqual(tok.merges, want) {
		t.Fatalf("merges %q, want %q", tok.merges, want)
	}
	if tok.VocabSize() != 256+2+3 {
		t.Errorf("vocab size %d, want 261", tok.VocabSize())
	}
	ids := tok.Encode("ab abc<|im_end|>")
	got := []string{}
	for _, id := range ids {
		got = append(got, tok.Token(id))
	}
	if w := []string{"ab", "Ġab", "c", IMEnd}; !reflect.DeepEqual(got, w) {
		t.Errorf("tokens %q, want %q", got, w)
	}
}

func corpus() []string {
	var docs []string
	for i := 0; i < 200; i++ {
		docs = append(docs, fmt.Sprintf("The quick brown fox %d jumps over the lazy dog's back; tool_call(name=\"f%d\", x=%d)\n", i, i%7, i*i))
	}
	return docs
}

func TestTrainDeterministicAndRoundTrip(t *testing.T) {
	a, err := Train(corpus(), 400, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Train(corpus(), 400, nil)
	ja, _ := a.MarshalJSON()
	jb, _ := b.MarshalJSON()
	if string(ja) != string(jb) {
		t.Fatal("two trainings on the same corpus differ")
	}
	if a.VocabSize() != 400 {
		t.Errorf("vocab size %d, want 400", a.VocabSize())
	}
	path := filepath.Join(t.TempDir(), "tokenizer.json")
	if err := a.Save(path); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{"The quick brown fox 12 jumps", "unseen wörds ✓ and \xff\xfe bytes", "<|im_start|>user\nhi<|im_end|>\n", ""}
	for _, text := range texts {
		ids := a.Encode(text)
		if got := c.Encode(text); !reflect.DeepEqual(got, ids) {
			t.Errorf("loaded tokenizer encodes %q as %v, want %v", text, got, ids)
		}
		back, err := c.Decode(ids)
		if err != nil || back != text {
			t.Errorf("decode(encode(%q)) = %q, %v", text, back, err)
		}
	}
	if n := len(a.Encode("The quick brown fox")); n > 5 {
		t.Errorf("a frequent phrase takes %d tokens; training merged too little", n)
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct{ json, want string }{
		{`{"model":{"type":"WordPiece"}}`, "only BPE"},
		{`{"model":{"type":"BPE","vocab":{}},"decoder":{"type":"Metaspace"}}`, "only ByteLevel"},
		{`{"model":{"type":"BPE","vocab":{"a":0}},"decoder":{"type":"ByteLevel"}}`, "lacks the byte token"},
	}
	for _, c := range cases {
		if _, err := Parse([]byte(c.json)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%s): %v, want error with %q", c.json, err, c.want)
		}
	}
}

func TestChatML(t *testing.T) {
	msgs := []Message{{"system", "Be brief."}, {"user", "Hi"}}
	got, err := ChatML(msgs, true)
	if err != nil {
		t.Fatal(err)
	}
	want := "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
	if got != want {
		t.Errorf("ChatML = %q, want %q", got, want)
	}
	if _, err := ChatML([]Message{{"robot", "x"}}, false); err == nil || !strings.Contains(err.Error(), "allowed roles") {
		t.Errorf("bad role: %v", err)
	}
	tok, _ := Train(corpus(), 300, nil)
	ids, err := tok.EncodeChat(msgs, true)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ids, tok.Encode(want)) {
		t.Errorf("EncodeChat differs from Encode(ChatML(...))")
	}
	sneaky, _ := tok.EncodeChat([]Message{{"user", "<|im_end|>"}}, false)
	end, _ := tok.SpecialID(IMEnd)
	count := 0
	for _, id := range sneaky {
		if id == end {
			count++
		}
	}
	if count != 1 {
		t.Errorf("a literal <|im_end|> in content became a special token (%d ends)", count)
	}
}

func TestSplitWordsQwen(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"Hello world", []string{"Hello", " world"}},
		{"x = 314!", []string{"x", " =", " ", "3", "1", "4", "!"}},
		{"(call) it's IT'S", []string{"(call", ")", " it", "'s", " IT", "'S"}},
		{"a\n\n  b", []string{"a", "\n\n", " ", " b"}},
		{"end.\n", []string{"end", ".\n"}},
		{"tail  ", []string{"tail", "  "}},
	}
	for _, c := range cases {
		if got := splitWordsQwen(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("splitWordsQwen(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// A tokenizer.json with Qwen's pre-tokenizer (as the Qwen2.5 files have
// it) loads, splits digits one by one and keeps its pre-tokenizer on save.
func TestQwenPreTokenizerRoundTrip(t *testing.T) {
	tok, _ := Train(corpus(), 300, nil)
	b, _ := tok.MarshalJSON()
	qwen := `{"type":"Sequence","pretokenizers":[{"type":"Split","pattern":{"Regex":` + jsonString(QwenPattern) +
		`},"behavior":"Isolated","invert":false},{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":false,"use_regex":false}]}`
	text := strings.Replace(string(b), `"pre_tokenizer":{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":true}`, `"pre_tokenizer":`+qwen, 1)
	if text == string(b) {
		t.Fatal("pre_tokenizer not found in the written JSON")
	}
	q, err := Parse([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range q.Encode("x 12345") {
		if tokText := q.Token(id); strings.ContainsAny(tokText, "0123456789") && len(tokText) > 1 {
			t.Errorf("digits merged into %q under the Qwen pre-tokenizer", tokText)
		}
	}
	out, _ := q.MarshalJSON()
	if !strings.Contains(string(out), `"type":"Split"`) {
		t.Error("saving dropped the Qwen pre-tokenizer")
	}
	if _, err := Parse([]byte(`{"model":{"type":"BPE","vocab":{}},"decoder":{"type":"ByteLevel"},"pre_tokenizer":{"type":"Whitespace"}}`)); err == nil {
		t.Error("an unsupported pre-tokenizer was accepted")
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// Text that NFC changes encodes as its NFC form does: the Qwen
// tokenizer.json normalises before pre-tokenising.
func TestNFCNormalizer(t *testing.T) {
	tok, err := Load("testdata/fidelity/tokenizer.json")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ raw, nfc string }{
		{"cafe\u0301", "caf\u00e9"},
		{"A\u030a \u212b", "\u00c5 \u00c5"},
		{"\u1100\u1161\u11a8", "\uac01"},
		{"\u2126", "\u03a9"},
	}
	for _, c := range cases {
		got, want := tok.EncodePlain(c.raw), tok.EncodePlain(c.nfc)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("EncodePlain(%q) = %v, want that of %q: %v", c.raw, got, c.nfc, want)
		}
		back, _ := tok.Decode(got)
		if back != c.nfc {
			t.Errorf("Decode(EncodePlain(%q)) = %q, want %q", c.raw, back, c.nfc)
		}
	}
}

func TestLossyUTF8(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain é", "plain é"},
		{"\xe2\x82a", "\ufffda"},               // a truncated 3-byte sequence is one subpart
		{"\xf0\x9f\x91", "\ufffd"},             // so is a truncated 4-byte one
		{"\xed\xa0\x80", "\ufffd\ufffd\ufffd"}, // a surrogate: ED then two stray bytes
		{"\xc0\xaf", "\ufffd\ufffd"},           // C0 never starts a sequence
		{"a\xffb", "a\ufffdb"},
	}
	for _, c := range cases {
		if got := lossyUTF8(c.in); got != c.want {
			t.Errorf("lossyUTF8(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// Save writes back what Parse read: added-token flags, normaliser,
// pre-tokenizer, decoder and model settings.
func TestSaveKeepsTokenizerJSON(t *testing.T) {
	a, err := Load("testdata/fidelity/tokenizer.json")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "tokenizer.json")
	if err := a.Save(path); err != nil {
		t.Fatal(err)
	}
	b, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a.AddedTokens(), b.AddedTokens()) {
		t.Errorf("added tokens %+v, after a save %+v", a.AddedTokens(), b.AddedTokens())
	}
	for _, f := range []struct{ name, a, b string }{
		{"normalizer", string(a.normalizer), string(b.normalizer)},
		{"pre_tokenizer", string(a.preTokenizer), string(b.preTokenizer)},
		{"decoder", string(a.decoder), string(b.decoder)},
		{"post_processor", string(a.postProcessor), string(b.postProcessor)},
	} {
		var x, y any
		if json.Unmarshal([]byte(f.a), &x) != nil || json.Unmarshal([]byte(f.b), &y) != nil || !reflect.DeepEqual(x, y) {
			t.Errorf("%s %s, after a save %s", f.name, f.a, f.b)
		}
	}
	text := "cafe\u0301 [MASK] <tool_call>x</tool_call> the end"
	if !reflect.DeepEqual(a.Encode(text), b.Encode(text)) {
		t.Errorf("the saved tokenizer encodes %q differently", text)
	}
}

func TestParseRefusesWhatItCannotFollow(t *testing.T) {
	tok, _ := Train(corpus(), 300, nil)
	good, _ := tok.MarshalJSON()
	cases := []struct{ field, value, want string }{
		{"normalizer", `{"type":"Lowercase"}`, `type "Lowercase" is not supported`},
		{"normalizer", `{"type":"Sequence","normalizers":[{"type":"NFC"},{"type":"BertNormalizer"}]}`, "normalizers[1]"},
		{"post_processor", `{"type":"TemplateProcessing"}`, "supported are null and ByteLevel"},
	}
	for _, c := range cases {
		var f map[string]json.RawMessage
		json.Unmarshal(good, &f)
		f[c.field] = json.RawMessage(c.value)
		b, _ := json.Marshal(f)
		if _, err := Parse(b); err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.field) {
			t.Errorf("%s %s: %v, want an error naming %s with %q", c.field, c.value, err, c.field, c.want)
		}
	}
	var f map[string]json.RawMessage
	json.Unmarshal(good, &f)
	f["model"] = json.RawMessage(strings.Replace(string(f["model"]), `"byte_fallback":false`, `"byte_fallback":true`, 1))
	b, _ := json.Marshal(f)
	if _, err := Parse(b); err == nil || !strings.Contains(err.Error(), "model.byte_fallback") {
		t.Errorf("byte_fallback true: %v", err)
	}
}
