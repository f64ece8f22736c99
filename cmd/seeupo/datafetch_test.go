package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/bfcl"
	"github.com/seeupo/seeupo/bfcl/datafetch"
	"github.com/seeupo/seeupo/internal/testdata"
)

// sharedMirror serves the shared BFCL data under upstream's layout.
func sharedMirror(t *testing.T) *httptest.Server {
	t.Helper()
	shared := testdata.Dir(t, "bfcl_v4")
	byRemote := map[string]string{}
	for _, f := range datafetch.BFCL().Files {
		if f.Builtin != nil {
			continue
		}
		byRemote["/"+datafetch.BFCLCommit+"/"+f.Remote] = filepath.Join(shared, filepath.FromSlash(f.Path))
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := byRemote[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		http.ServeFile(w, r, p)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestDataFetchBFCL(t *testing.T) {
	srv := sharedMirror(t)
	dest := filepath.Join(t.TempDir(), "bfcl_v4")
	out, errOut, err := runCLI(t, "data", "fetch", "bfcl", "--dest", dest, "--base-url", srv.URL)
	if err != nil {
		t.Fatalf("%v\n%s\n%s", err, out, errOut)
	}
	for _, want := range []string{
		"[26/56] BFCL_v4_multi_turn_base.json  390425 bytes  sha256 ok  downloaded",
		"[55/56] long_context_constants.json  219310 bytes  sha256 ok  written",
		"[56/56] splits.json  5318 bytes  sha256 ok  written",
		"bfcl: 56 files verified (54 downloaded, 2 written, 0 already present)",
		"golden/ (the recorded upstream traces and checker cases) is not fetched",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errOut, "bfcl_v4 [########################]") {
		t.Errorf("no finished progress bar on stderr:\n%s", errOut)
	}
	if _, err := os.Stat(filepath.Join(dest, "possible_answer", "BFCL_v4_multi_turn_base.json")); err != nil {
		t.Error(err)
	}
	// What was fetched is all the loaders need: the multi-turn data set and
	// every category's entries in upstream's form.
	if _, err := bfcl.Load(dest); err != nil {
		t.Errorf("loading the fetched data: %v", err)
	}
	u := bfcl.Upstream{Dir: dest}
	for _, cat := range bfcl.AllScoringCategories {
		if _, err := u.Entries(cat, true, true); err != nil {
			t.Errorf("loading the fetched data of %s: %v", cat, err)
		}
	}
	out, _, err = runCLI(t, "data", "fetch", "bfcl", "--dest", dest, "--base-url", srv.URL)
	if err != nil || !strings.Contains(out, "(0 downloaded, 0 written, 56 already present)") {
		t.Fatalf("second run: %v\n%s", err, out)
	}
}

func TestDataFetchErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"data", "fetch", "nope"}, `unknown data set "nope" (known: bfcl)`},
		{[]string{"data", "fetch"}, "accepts 1 arg"},
	}
	for _, tt := range tests {
		_, _, err := runCLI(t, tt.args...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: error %v, want %q", tt.args, err, tt.want)
		}
	}
	// A server without the files: 404 on the first one, nothing written.
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	dest := t.TempDir()
	_, _, err := runCLI(t, "data", "fetch", "bfcl", "--dest", dest, "--base-url", srv.URL)
	if err == nil || !strings.Contains(err.Error(), "BFCL_v4_simple_python.json: GET") || !strings.Contains(err.Error(), "404") {
		t.Fatalf("error %v", err)
	}
	if entries, _ := os.ReadDir(dest); len(entries) != 0 {
		t.Errorf("files left: %v", entries)
	}
}

func TestDataFetchHelpNamesSharedFiles(t *testing.T) {
	out, _, err := runCLI(t, "data", "fetch", "--help")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"golden/", "splits.json", "shared/data/bfcl_v4/", datafetch.BFCLCommit} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q", want)
		}
	}
}
