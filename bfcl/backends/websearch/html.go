package websearch

import (
	"html"
	"strings"
	"unicode"
)

// token is one piece of an HTML page: text, or a start or end tag.
type token struct {
	text      string // text (entities decoded) when tag == ""
	tag       string // lower-case tag name
	end       bool
	attrs     map[string]string
	selfClose bool
}

// tokenize splits a page into text and tags. Comments, doctypes and
// processing instructions are dropped; the content of script and style
// elements is dropped with them.
func tokenize(page string) []token {
	var out []token
	i := 0
	for i < len(page) {
		lt := strings.IndexByte(page[i:], '<')
		if lt < 0 {
			out = append(out, token{text: html.UnescapeString(page[i:])})
			break
		}
		if lt > 0 {
			out = append(out, token{text: html.UnescapeString(page[i : i+lt])})
		}
		i += lt
		rest := page[i:]
		switch {
		case strings.HasPrefix(rest, "<!--"):
			end := strings.Index(rest[4:], "-->")
			if end < 0 {
				return out
			}
			i += 4 + end + 3
			continue
		case strings.HasPrefix(rest, "<!") || strings.HasPrefix(rest, "<?"):
			end := strings.IndexByte(rest, '>')
			if end < 0 {
				return out
			}
			i += end + 1
			continue
		}
		tok, n, ok := parseTag(rest)
		if !ok {
			out = append(out, token{text: "<"})
			i++
			continue
		}
		i += n
		out = append(out, tok)
		if !tok.end && (tok.tag == "script" || tok.tag == "style") && !tok.selfClose {
			closing := strings.Index(strings.ToLower(page[i:]), "</"+tok.tag)
			if closing < 0 {
				return out
			}
			i += closing
		}
	}
	return out
}

// parseTag reads one tag at the start of s ("<name attrs>" or "</name>").
func parseTag(s string) (token, int, bool) {
	i := 1
	t := token{}
	if i < len(s) && s[i] == '/' {
		t.end = true
		i++
	}
	start := i
	for i < len(s) && (isNameByte(s[i])) {
		i++
	}
	if i == start || !isLetter(s[start]) {
		return t, 0, false
	}
	t.tag = strings.ToLower(s[start:i])
	t.attrs = map[string]string{}
	for i < len(s) && s[i] != '>' {
		c := s[i]
		switch {
		case c == '/' || c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if c == '/' {
				t.selfClose = true
			}
			i++
		default:
			ks := i
			for i < len(s) && s[i] != '=' && s[i] != '>' && s[i] != ' ' && s[i] != '/' {
				i++
			}
			key := strings.ToLower(s[ks:i])
			val := ""
			if i < len(s) && s[i] == '=' {
				i++
				if i < len(s) && (s[i] == '"' || s[i] == '\'') {
					q := s[i]
					end := strings.IndexByte(s[i+1:], q)
					if end < 0 {
						return t, 0, false
					}
					val = s[i+1 : i+1+end]
					i += end + 2
				} else {
					vs := i
					for i < len(s) && s[i] != ' ' && s[i] != '>' {
						i++
					}
					val = s[vs:i]
				}
			}
			t.attrs[key] = html.UnescapeString(val)
			t.selfClose = false
		}
	}
	if i >= len(s) {
		return t, 0, false
	}
	return t, i + 1, true
}

func isLetter(c byte) bool   { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isNameByte(c byte) bool { return isLetter(c) || c >= '0' && c <= '9' || c == '-' || c == ':' }

// Truncate is the "truncate" mode: the page's text without scripts and
// styles, each text piece stripped of surrounding white space, the
// non-empty pieces joined by newlines (BeautifulSoup's
// get_text(separator="\n", strip=True) upstream).
func Truncate(page string) string {
	var parts []string
	for _, t := range tokenize(page) {
		if t.tag != "" {
			continue
		}
		if s := strings.TrimFunc(t.text, unicode.IsSpace); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "\n")
}

// blockTags end a line in markdown mode.
var blockTags = map[string]bool{
	"p": true, "div": true, "section": true, "article": true, "header": true, "footer": true, "main": true,
	"nav": true, "ul": true, "ol": true, "table": true, "tr": true, "blockquote": true, "pre": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true, "li": true, "title": true,
}

// Markdown is the "markdown" mode: headings as "#", list items as "  * "
// (one a line),
// links as [text](href), bold as **, emphasis as _, paragraphs separated
// by blank lines, white space collapsed. Upstream uses html2text; this is
// a simpler converter in the same spirit, not its exact output.
func Markdown(page string) string {
	var b strings.Builder
	var link []string // hrefs of open links
	pendingSpace := false
	lineStart := true
	inList := false
	newBlock := func(single bool) {
		if b.Len() > 0 {
			s := strings.TrimRight(b.String(), " ")
			b.Reset()
			b.WriteString(s)
			switch {
			case single && !strings.HasSuffix(s, "\n"):
				b.WriteString("\n")
			case !single && !strings.HasSuffix(s, "\n\n"):
				if strings.HasSuffix(s, "\n") {
					b.WriteString("\n")
				} else {
					b.WriteString("\n\n")
				}
			}
		}
		pendingSpace, lineStart = false, true
	}
	write := func(s string) {
		if pendingSpace && !lineStart {
			b.WriteByte(' ')
		}
		b.WriteString(s)
		pendingSpace, lineStart = false, false
	}
	for _, t := range tokenize(page) {
		switch {
		case t.tag == "":
			words := strings.Fields(t.text)
			if len(words) == 0 {
				if t.text != "" {
					pendingSpace = true
				}
				continue
			}
			if unicode.IsSpace(rune(t.text[0])) {
				pendingSpace = true
			}
			write(strings.Join(words, " "))
			if unicode.IsSpace(rune(t.text[len(t.text)-1])) {
				pendingSpace = true
			}
		case t.tag == "br":
			b.WriteString("  \n")
			lineStart = true
		case t.tag == "a" && !t.end:
			link = append(link, t.attrs["href"])
			write("[")
		case t.tag == "a" && t.end && len(link) > 0:
			href := link[len(link)-1]
			link = link[:len(link)-1]
			b.WriteString("](" + href + ")")
		case t.tag == "b" || t.tag == "strong":
			write("**")
			if !t.end {
				pendingSpace = false
			}
		case t.tag == "em" || t.tag == "i":
			write("_")
			if !t.end {
				pendingSpace = false
			}
		case blockTags[t.tag]:
			if t.tag == "ul" || t.tag == "ol" {
				inList = !t.end
			}
			newBlock(inList && t.tag == "li")
			if !t.end {
				switch {
				case len(t.tag) == 2 && t.tag[0] == 'h' && t.tag[1] >= '1' && t.tag[1] <= '6':
					write(strings.Repeat("#", int(t.tag[1]-'0')) + " ")
					lineStart = true
				case t.tag == "li":
					write("  * ")
					lineStart = true
				}
			}
		}
	}
	return strings.TrimSpace(b.String()) + "\n\n"
}
