package py

import (
	"fmt"
	"strings"
	"sync"
	"testing"
)

// jsonText is writeJSONText's output: the general path, for checking the
// cached one against.
func jsonText(s string, ascii bool) string {
	b := &outBuf{}
	writeJSONText(b, s, ascii)
	return string(b.b)
}

// jsonString is writeJSONString's output.
func jsonString(s string, ascii bool) string {
	b := &outBuf{}
	writeJSONString(b, s, ascii)
	return string(b.b)
}

// Writing a long string again and again (first, second, cached times)
// gives the text of the general path, for strings around the length
// bounds of the cache, with and without ensure_ascii, with escapes.
func TestCachedJSONStringMatchesText(t *testing.T) {
	texts := map[string]string{
		"min":      strings.Repeat("a", minCachedJSON),
		"below":    strings.Repeat("b", minCachedJSON-1),
		"max":      strings.Repeat("c", maxCachedJSON),
		"above":    strings.Repeat("d", maxCachedJSON+1),
		"escapes":  strings.Repeat("say \"hi\"\\\n\t\x01\x7f ", 64),
		"unicode":  strings.Repeat("héllo wörld ☃ 😀 ", 64),
		"document": strings.Repeat("The parking brake holds the car. ", 40),
	}
	for name, s := range texts {
		for _, ascii := range []bool{true, false} {
			want := jsonText(s, ascii)
			for i := 0; i < 4; i++ {
				if got := jsonString(s, ascii); got != want {
					t.Fatalf("%s ascii=%v, writing %d: %.60q..., want %.60q...", name, ascii, i, got, want)
				}
			}
		}
	}
}

// sameSlotStrings returns n strings of one length and distinct bytes,
// all at distinct addresses of one jsonCache slot.
func sameSlotStrings(t *testing.T, n, length int) []string {
	t.Helper()
	var b strings.Builder
	for b.Len() < 1<<20 {
		fmt.Fprintf(&b, "%d,", b.Len())
	}
	big := b.String()
	slot := jsonSlot(big[:length])
	var out []string
	for off := 0; off+length <= len(big) && len(out) < n; off++ {
		if s := big[off : off+length]; jsonSlot(s) == slot {
			out = append(out, s)
		}
	}
	if len(out) < n {
		t.Fatalf("found %d strings in one slot, want %d", len(out), n)
	}
	return out
}

// Strings of one length in one slot of the cache never get each other's
// text: the cache tells them apart by address, written in turns and over
// and over.
func TestCachedJSONStringKeepsStringsApart(t *testing.T) {
	strs := sameSlotStrings(t, 3, minCachedJSON+5)
	for round := 0; round < 3; round++ {
		for _, s := range strs {
			for i := 0; i < 3; i++ {
				if got, want := jsonString(s, true), jsonText(s, true); got != want {
					t.Fatalf("round %d: %.40q... written as %.40q...", round, s, got)
				}
			}
		}
	}
}

// Goroutines writing the strings of one slot at once all get the right
// texts (run with -race: the slots are shared).
func TestCachedJSONStringConcurrent(t *testing.T) {
	strs := sameSlotStrings(t, 4, minCachedJSON+100)
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				s := strs[(g+i/7)%len(strs)]
				if got, err := Dumps(NewList(Str(s))); err != nil || got != "["+jsonText(s, true)+"]" {
					errs <- fmt.Sprintf("goroutine %d: %.40q... gave %.40q..., %v", g, s, got, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
}
