package datafetch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/internal/testdata"
)

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// testSet is a small data set and the server content for it.
func testSet() (Dataset, map[string][]byte) {
	content := map[string][]byte{
		"data/a.json":     []byte(`{"id": "a"}` + "\n"),
		"data/sub/b.json": bytes.Repeat([]byte("bfcl "), 5000),
	}
	d := Dataset{Name: "test", Commit: "c0ffee"}
	for _, p := range []string{"data/a.json", "data/sub/b.json"} {
		d.Files = append(d.Files, File{
			Path: strings.TrimPrefix(p, "data/"), Remote: p,
			Size: int64(len(content[p])), SHA256: sum(content[p]),
		})
	}
	return d, content
}

// serve answers GET /<commit>/<remote> from content; override may replace
// the handling of one path.
func serve(t *testing.T, commit string, content map[string][]byte, override map[string]http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := strings.TrimPrefix(r.URL.Path, "/"+commit+"/")
		if h, ok := override[p]; ok {
			h(w, r)
			return
		}
		b, ok := content[p]
		if !ok || !strings.HasPrefix(r.URL.Path, "/"+commit+"/") {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// listFiles returns every file under dir, relative and slash-separated.
func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	return out
}

func TestFetchWritesVerifiedFiles(t *testing.T) {
	d, content := testSet()
	srv := serve(t, d.Commit, content, nil)
	dest := t.TempDir()
	var progressed int64
	var log bytes.Buffer
	res, err := Fetch(context.Background(), d, Options{BaseURL: srv.URL, Dest: dest, Log: &log,
		Progress: func(n int64) { progressed += n }})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || res[0].Status != "downloaded" || res[1].Status != "downloaded" {
		t.Fatalf("results %+v", res)
	}
	for _, f := range d.Files {
		got, err := os.ReadFile(filepath.Join(dest, f.Path))
		if err != nil || !bytes.Equal(got, content[f.Remote]) {
			t.Errorf("%s: content differs (%v)", f.Path, err)
		}
	}
	if progressed != d.TotalSize() {
		t.Errorf("progress saw %d bytes, want %d", progressed, d.TotalSize())
	}
	if got := listFiles(t, dest); strings.Join(got, ",") != "a.json,sub/b.json" {
		t.Errorf("files left: %v", got)
	}
	if !strings.Contains(log.String(), "[2/2] sub/b.json  25000 bytes  sha256 ok  downloaded") {
		t.Errorf("log:\n%s", log.String())
	}

	// A second run keeps the verified files.
	res, err = Fetch(context.Background(), d, Options{BaseURL: srv.URL, Dest: dest})
	if err != nil || res[0].Status != "present" || res[1].Status != "present" {
		t.Fatalf("second run: %+v, %v", res, err)
	}
}

func TestFetchReplacesCorruptFile(t *testing.T) {
	d, content := testSet()
	srv := serve(t, d.Commit, content, nil)
	dest := t.TempDir()
	os.WriteFile(filepath.Join(dest, "a.json"), []byte("stale"), 0o644)
	if _, err := Fetch(context.Background(), d, Options{BaseURL: srv.URL, Dest: dest}); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(dest, "a.json")); !bytes.Equal(got, content["data/a.json"]) {
		t.Fatalf("a.json = %q", got)
	}
}

func TestFetchFailuresLeaveNothing(t *testing.T) {
	d, content := testSet()
	big := content["data/sub/b.json"]
	tests := []struct {
		name    string
		handler http.HandlerFunc
		check   func(error) bool
		mention string
	}{
		{
			name: "wrong checksum",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Write(bytes.ToUpper(big))
			},
			check:   func(err error) bool { var c *ChecksumError; return errors.As(err, &c) },
			mention: "sha256",
		},
		{
			name:    "not found",
			handler: http.NotFound,
			check:   func(err error) bool { return err != nil },
			mention: "404 Not Found",
		},
		{
			name: "interrupted",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", strconv.Itoa(len(big)))
				w.WriteHeader(http.StatusOK)
				w.Write(big[:len(big)/2])
				w.(http.Flusher).Flush()
				conn, _, err := w.(http.Hijacker).Hijack()
				if err == nil {
					conn.Close()
				}
			},
			check:   func(err error) bool { return err != nil },
			mention: "after 12500 of 25000 bytes",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, d.Commit, content, map[string]http.HandlerFunc{"data/sub/b.json": tt.handler})
			dest := t.TempDir()
			res, err := Fetch(context.Background(), d, Options{BaseURL: srv.URL, Dest: dest})
			if !tt.check(err) || !strings.Contains(err.Error(), tt.mention) || !strings.Contains(err.Error(), "sub/b.json") {
				t.Fatalf("error %v, want one mentioning sub/b.json and %q", err, tt.mention)
			}
			if len(res) != 1 {
				t.Errorf("results before the failure: %+v", res)
			}
			if got := listFiles(t, dest); strings.Join(got, ",") != "a.json" {
				t.Errorf("files left after failure: %v (want only a.json)", got)
			}
		})
	}
}

func TestFetchHonoursCancellation(t *testing.T) {
	d, content := testSet()
	srv := serve(t, d.Commit, content, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dest := t.TempDir()
	if _, err := Fetch(ctx, d, Options{BaseURL: srv.URL, Dest: dest}); !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if got := listFiles(t, dest); len(got) != 0 {
		t.Errorf("files left: %v", got)
	}
}

// Serving the shared copy of the data under upstream's layout, a fetch of
// the BFCL data set must accept every file: the embedded sizes and
// checksums are those of the real files, and the two files built into
// seeupo are byte for byte the shared data set's.
func TestBFCLChecksumsMatchSharedData(t *testing.T) {
	shared := testdata.Dir(t, "bfcl_v4")
	d := BFCL()
	if len(d.Files) != 56 {
		t.Fatalf("%d files, want 56 (54 upstream files, 2 built in)", len(d.Files))
	}
	content := map[string][]byte{}
	builtin := 0
	for _, f := range d.Files {
		b, err := os.ReadFile(filepath.Join(shared, filepath.FromSlash(f.Path)))
		if err != nil {
			t.Fatal(err)
		}
		if f.Builtin != nil {
			builtin++
			continue
		}
		content[f.Remote] = b
	}
	if builtin != 2 {
		t.Errorf("%d built-in files, want 2 (long_context_constants.json, splits.json)", builtin)
	}
	srv := serve(t, BFCLCommit, content, nil)
	dest := t.TempDir()
	res, err := Fetch(context.Background(), d, Options{BaseURL: srv.URL, Dest: dest})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 56 {
		t.Fatalf("%d results", len(res))
	}
	for _, f := range d.Files {
		want, err := os.ReadFile(filepath.Join(shared, filepath.FromSlash(f.Path)))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(dest, filepath.FromSlash(f.Path)))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: fetched content differs from the shared data set's", f.Path)
		}
	}
	remotes := map[string]string{}
	for _, f := range d.Files {
		remotes[f.Path] = f.Remote
	}
	if remotes["LICENSE"] != "LICENSE" || remotes["BFCL_v4_multi_turn_base.json"] != "berkeley-function-call-leaderboard/bfcl_eval/data/BFCL_v4_multi_turn_base.json" {
		t.Errorf("remote paths: %q, %q", remotes["LICENSE"], remotes["BFCL_v4_multi_turn_base.json"])
	}
}

// A built-in file is checked like a download: content that does not match
// the recorded checksum is refused and nothing is written.
func TestFetchRefusesBuiltinWithWrongChecksum(t *testing.T) {
	d := Dataset{Name: "test", Commit: "c0ffee", Files: []File{{Path: "x.json", Size: 2, SHA256: sum([]byte("{}")),
		Builtin: func() ([]byte, error) { return []byte("[]"), nil }}}}
	dest := t.TempDir()
	_, err := Fetch(context.Background(), d, Options{BaseURL: "http://127.0.0.1:1", Dest: dest})
	var ce *ChecksumError
	if !errors.As(err, &ce) {
		t.Fatalf("error %v, want a ChecksumError", err)
	}
	if files := listFiles(t, dest); len(files) != 0 {
		t.Errorf("files written: %v", files)
	}
}
