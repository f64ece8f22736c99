package py

import (
	"sync"
	"unicode/utf8"
)

// outBuf is the byte buffer the renderers (repr, json.dumps, the state
// encoding) write into. Finished buffers go back to a pool, so a
// rendering reuses the grown buffer of an earlier one and allocates only
// its result string.
type outBuf struct{ b []byte }

// maxPooledBuf bounds the buffers kept in the pool.
const maxPooledBuf = 1 << 20

var outPool = sync.Pool{New: func() any { return &outBuf{b: make([]byte, 0, 512)} }}

func getBuf() *outBuf { return outPool.Get().(*outBuf) }

// release returns the buffer's text and gives the buffer back to the pool.
func (o *outBuf) release() string {
	s := string(o.b)
	if cap(o.b) <= maxPooledBuf {
		o.b = o.b[:0]
		outPool.Put(o)
	}
	return s
}

// drop gives the buffer back to the pool without making a string.
func (o *outBuf) drop() {
	if cap(o.b) <= maxPooledBuf {
		o.b = o.b[:0]
		outPool.Put(o)
	}
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

func (o *outBuf) Len() int { return len(o.b) }
