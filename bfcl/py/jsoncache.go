package py

import (
	"sync/atomic"
	"unsafe"
)

// Long strings that json.dumps writes again and again (the texts of the
// long-context constants, a file read several times) are mostly one
// string shared by many values: the same bytes at the same address. The
// JSON text of such a string is kept after its second writing and copied
// out from then on instead of being escaped again.

// minCachedJSON and maxCachedJSON bound the lengths of the strings whose
// JSON text is kept: shorter ones escape about as fast as a lookup,
// longer ones would hold too much memory.
const (
	minCachedJSON = 512
	maxCachedJSON = 1 << 16
)

// jsonCacheBits is log2 of the number of slots of jsonCache.
const jsonCacheBits = 6

// jsonEntry is a long string and its JSON text (ensure_ascii). Entries
// never change once stored.
type jsonEntry struct {
	src  string
	text string
}

// jsonCache holds, in each slot (chosen by a string's address), the
// last string written twice in a row from its slot's view, with its text;
// jsonSeen the address of the last long string the slot saw written. They
// are read and written by many goroutines: a slot only ever swaps one
// immutable entry (or address) for another, and what jsonSeen says only
// decides whether to keep a text, never which text is written. An entry
// keeps its string alive, so no other string can take its address while
// it is there: a string with the same address and length has the same
// bytes.
var (
	jsonCache [1 << jsonCacheBits]atomic.Pointer[jsonEntry]
	jsonSeen  [1 << jsonCacheBits]atomic.Pointer[byte]
)

// sameString says whether a and b are the same bytes at the same address.
func sameString(a, b string) bool {
	return len(a) == len(b) && unsafe.StringData(a) == unsafe.StringData(b)
}

// jsonSlot is the slot of jsonCache and jsonSeen for s.
func jsonSlot(s string) int {
	p := uint64(uintptr(unsafe.Pointer(unsafe.StringData(s))))
	return int((p >> 3) * 0x9e3779b97f4a7c15 >> (64 - jsonCacheBits))
}

// writeCachedJSONString is writeJSONString with ensure_ascii for a long
// string: its text comes from the cache when its slot holds it, and is
// kept there when the slot saw the same address last time.
func writeCachedJSONString(b *outBuf, s string) {
	i := jsonSlot(s)
	if e := jsonCache[i].Load(); e != nil && sameString(e.src, s) {
		b.WriteString(e.text)
		return
	}
	start := len(b.b)
	writeJSONText(b, s, true)
	if p := unsafe.StringData(s); jsonSeen[i].Load() != p {
		jsonSeen[i].Store(p)
		return
	}
	jsonCache[i].Store(&jsonEntry{src: s, text: string(b.b[start:])})
}
