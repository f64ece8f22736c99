package metrics

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
)

// UnmarshalLenient decodes JSON that may hold Python's bare NaN, Infinity
// and -Infinity tokens (json.dumps writes them for non-finite floats): they
// are read as the strings "NaN", "Infinity" and "-Infinity", for a field
// that decodes such strings (the metrics' figures) or a json.RawMessage to
// judge them; any other field rejects them by name. Errors name the byte
// offset or the field, never Go types.
func UnmarshalLenient(data []byte, v any) error {
	err := json.Unmarshal(quoteNonFinite(data), v)
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &syn):
		return fmt.Errorf("invalid JSON at byte %d: %v", syn.Offset, syn)
	case errors.As(err, &typ) && typ.Field == "":
		return fmt.Errorf("got JSON %s, want %s", typ.Value, jsonKind(typ.Type))
	case errors.As(err, &typ):
		return fmt.Errorf("field %q: got JSON %s", typ.Field, typ.Value)
	}
	return err
}

// jsonKind names the JSON value a Go type decodes from.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	}
	return "a number"
}

// quoteNonFinite turns bare NaN, Infinity and -Infinity outside strings into
// the strings "NaN", "Infinity", "-Infinity".
func quoteNonFinite(data []byte) []byte {
	if !bytes.Contains(data, []byte("NaN")) && !bytes.Contains(data, []byte("Infinity")) {
		return data
	}
	var out []byte
	inString, escaped := false, false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if inString {
			out = append(out, c)
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		if c == '"' {
			inString = true
			out = append(out, c)
			continue
		}
		if tok, ok := nonFiniteToken(data[i:]); ok {
			out = append(out, '"')
			out = append(out, tok...)
			out = append(out, '"')
			i += len(tok) - 1
			continue
		}
		out = append(out, c)
	}
	return out
}

func nonFiniteToken(b []byte) (string, bool) {
	for _, tok := range []string{"-Infinity", "Infinity", "NaN"} {
		if bytes.HasPrefix(b, []byte(tok)) {
			return tok, true
		}
	}
	return "", false
}
