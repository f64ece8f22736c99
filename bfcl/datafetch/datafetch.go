// Package datafetch downloads benchmark data files from upstream at a
// pinned commit and verifies each against the size and sha256 recorded
// here. A file is written to a temporary file beside its destination and
// renamed into place only once its checksum is right, so a failed or
// interrupted download never leaves a partial file under its final name.
//
// It imports the standard library only.
package datafetch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// File is one file of a data set.
type File struct {
	Path   string // relative path under the destination directory
	Remote string // path inside the upstream repository at the commit
	Size   int64  // bytes
	SHA256 string // lowercase hex
	// Builtin, when set, gives the file's content from a copy built into
	// seeupo (a file that is not in the upstream repository); it is
	// checked and written like a download.
	Builtin func() ([]byte, error)
}

// Dataset is a named list of files at an upstream commit.
type Dataset struct {
	Name   string
	Dir    string // the directory name under the data directory, e.g. "bfcl_v4"
	Commit string
	Files  []File
	// NotFetched describes the files of the shared data set that are not
	// upstream files and so cannot be fetched.
	NotFetched string
}

// TotalSize returns the number of bytes of all files.
func (d Dataset) TotalSize() int64 {
	var n int64
	for _, f := range d.Files {
		n += f.Size
	}
	return n
}

// Options says where to download from and to.
type Options struct {
	// BaseURL is the URL under which <commit>/<remote path> is served;
	// DefaultBaseURL when empty.
	BaseURL string
	// Dest is the directory that receives the files.
	Dest string
	// Force downloads files that are already present and valid.
	Force bool
	// Client is the HTTP client; http.DefaultClient when nil.
	Client *http.Client
	// Progress, when set, is told about every chunk of bytes received
	// (and about the size of every file already present).
	Progress func(n int64)
	// Log, when set, receives one line per file.
	Log io.Writer
}

// Result is the outcome for one file.
type Result struct {
	File   File
	Status string // "downloaded", "written" (built in) or "present"
}

// ChecksumError reports a download whose content is not the recorded one.
type ChecksumError struct {
	File    File
	URL     string
	Got     string
	GotSize int64
}

func (e *ChecksumError) Error() string {
	return fmt.Sprintf("%s: sha256 %s (%d bytes) from %s, want %s (%d bytes); nothing written",
		e.File.Path, e.Got, e.GotSize, e.URL, e.File.SHA256, e.File.Size)
}

// Fetch downloads every file of d into opts.Dest. Files already present
// with the right checksum are kept unless opts.Force is set. It stops at
// the first failure and returns the results so far with the error.
func Fetch(ctx context.Context, d Dataset, opts Options) ([]Result, error) {
	if opts.Dest == "" {
		return nil, errors.New("datafetch: no destination directory")
	}
	base := strings.TrimRight(opts.BaseURL, "/")
	if base == "" {
		base = DefaultBaseURL
	}
	client := opts.Client
	if client == nil {
		client = http.DefaultClient
	}
	var results []Result
	for i, f := range d.Files {
		target := filepath.Join(opts.Dest, filepath.FromSlash(f.Path))
		if !opts.Force && hasChecksum(target, f.SHA256) {
			report(opts, i, len(d.Files), f, "present")
			if opts.Progress != nil {
				opts.Progress(f.Size)
			}
			results = append(results, Result{f, "present"})
			continue
		}
		if f.Builtin != nil {
			b, err := f.Builtin()
			if err != nil {
				return results, fmt.Errorf("%s: %w", f.Path, err)
			}
			if err := install(bytes.NewReader(b), "built into seeupo", target, f, opts.Progress); err != nil {
				return results, err
			}
			report(opts, i, len(d.Files), f, "written")
			results = append(results, Result{f, "written"})
			continue
		}
		url := base + "/" + d.Commit + "/" + f.Remote
		if err := download(ctx, client, url, target, f, opts.Progress); err != nil {
			return results, err
		}
		report(opts, i, len(d.Files), f, "downloaded")
		results = append(results, Result{f, "downloaded"})
	}
	return results, nil
}

func report(opts Options, i, n int, f File, status string) {
	if opts.Log != nil {
		fmt.Fprintf(opts.Log, "[%d/%d] %s  %d bytes  sha256 ok  %s\n", i+1, n, f.Path, f.Size, status)
	}
}

// hasChecksum reports whether path exists with the given sha256.
func hasChecksum(path, want string) bool {
	fh, err := os.Open(path)
	if err != nil {
		return false
	}
	defer fh.Close()
	h := sha256.New()
	if _, err := io.Copy(h, fh); err != nil {
		return false
	}
	return hex.EncodeToString(h.Sum(nil)) == want
}

// download fetches url into target through a temporary file in the same
// directory, renamed into place once size and checksum are right.
func download(ctx context.Context, client *http.Client, url, target string, f File, progress func(int64)) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", f.Path, err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", f.Path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: GET %s: %s", f.Path, url, resp.Status)
	}
	return install(resp.Body, url, target, f, progress)
}

// install writes r into target through a temporary file in the same
// directory, renamed into place once size and checksum are right; from
// names the source in errors.
func install(r io.Reader, from, target string, f File, progress func(int64)) error {
	url := from
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return fmt.Errorf("%s: %w", f.Path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(target), "."+filepath.Base(target)+".part-*")
	if err != nil {
		return fmt.Errorf("%s: %w", f.Path, err)
	}
	keep := false
	defer func() {
		if !keep {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h, progressWriter(progress)), r)
	if err != nil {
		return fmt.Errorf("%s: reading %s: after %d of %d bytes: %w", f.Path, url, n, f.Size, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != f.SHA256 || n != f.Size {
		return &ChecksumError{File: f, URL: url, Got: got, GotSize: n}
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("%s: %w", f.Path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("%s: %w", f.Path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("%s: %w", f.Path, err)
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return fmt.Errorf("%s: %w", f.Path, err)
	}
	keep = true
	return nil
}

type progressWriter func(int64)

func (p progressWriter) Write(b []byte) (int, error) {
	if p != nil {
		p(int64(len(b)))
	}
	return len(b), nil
}

// datasets maps the names accepted by Lookup to their constructors.
var datasets = map[string]func() Dataset{"bfcl": BFCL}

// Names returns the names of the known data sets, sorted.
func Names() []string {
	names := make([]string, 0, len(datasets))
	for n := range datasets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Lookup returns the data set called name; an unknown name is an error
// listing the known ones.
func Lookup(name string) (Dataset, error) {
	f, ok := datasets[name]
	if !ok {
		return Dataset{}, fmt.Errorf("unknown data set %q (known: %s)", name, strings.Join(Names(), ", "))
	}
	return f(), nil
}
