package py

import (
	"strings"
	"sync"
	"unicode/utf8"
)

// outBuf is the byte buffer the renderers (repr, json.dumps, the state
// encoding) write into. Finished buffers go back to a pool, so a
// rendering reuses the grown buffer of an earlier one and allocates only
// its result string.
//
// Long texts that are already strings (the stored texts of frozen lists)
// are not copied into the buffer: writeText keeps a reference, and
// release copies them once, straight into the result.
type outBuf struct {
	b []byte
	// refs are the texts writeText kept, in order, each with the length
	// of b when it was written (where it goes among the buffered bytes).
	refs []textRef
	// refLen is the total length of refs' texts.
	refLen int
}

// textRef is a text kept by reference at a position of the buffer.
type textRef struct {
	at int
	s  string
}

// minTextRef is the length from which writeText keeps a reference rather
// than copying: below it, the copy costs less than the bookkeeping.
const minTextRef = 256

// maxPooledBuf bounds the buffers kept in the pool.
const maxPooledBuf = 1 << 20

var outPool = sync.Pool{New: func() any { return &outBuf{b: make([]byte, 0, 512)} }}

func getBuf() *outBuf { return outPool.Get().(*outBuf) }

// release returns the buffer's text and gives the buffer back to the pool.
func (o *outBuf) release() string {
	var s string
	switch {
	case len(o.refs) == 0:
		s = string(o.b)
	case len(o.refs) == 1 && len(o.b) == 0:
		s = o.refs[0].s // the text alone: no copy at all
	default:
		s = o.joinRefs()
	}
	o.drop()
	return s
}

// joinRefs builds the text of a buffer with kept references, writing
// every byte once into memory of the exact size.
func (o *outBuf) joinRefs() string {
	var sb strings.Builder
	sb.Grow(len(o.b) + o.refLen)
	prev := 0
	for _, r := range o.refs {
		sb.Write(o.b[prev:r.at])
		sb.WriteString(r.s)
		prev = r.at
	}
	sb.Write(o.b[prev:])
	return sb.String()
}

// drop gives the buffer back to the pool without making a string.
func (o *outBuf) drop() {
	if len(o.refs) > 0 {
		clear(o.refs) // the pool must not keep the texts alive
		o.refs = o.refs[:0]
		o.refLen = 0
	}
	if cap(o.b) <= maxPooledBuf {
		o.b = o.b[:0]
		outPool.Put(o)
	}
}

// writeText writes s, a string that never changes, keeping a reference
// to it when it is long.
func (o *outBuf) writeText(s string) {
	if len(s) < minTextRef {
		o.b = append(o.b, s...)
		return
	}
	o.refs = append(o.refs, textRef{at: len(o.b), s: s})
	o.refLen += len(s)
}

func (o *outBuf) WriteString(s string) (int, error) {
	o.b = append(o.b, s...)
	return len(s), nil
}

func (o *outBuf) Write(p []byte) (int, error) {
	o.b = append(o.b, p...)
	return len(p), nil
}

func (o *outBuf) WriteByte(c byte) error {
	o.b = append(o.b, c)
	return nil
}

func (o *outBuf) WriteRune(r rune) (int, error) {
	n := len(o.b)
	o.b = utf8.AppendRune(o.b, r)
	return len(o.b) - n, nil
}

// Len is the length of the text written so far.
func (o *outBuf) Len() int { return len(o.b) + o.refLen }
