package metrics

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// ManifestFile is written last into a checkpoint: the step and every
// file's size and SHA-256. A checkpoint without it, or whose files differ
// from it, is not resumed from.
const ManifestFile = "MANIFEST.json"

// Name prefixes inside checkpoints/ of directories that are not
// checkpoints: a write in progress (or cut short by a crash) and a damaged
// checkpoint moved aside by SelectCheckpoint.
const (
	checkpointTempPrefix    = ".tmp-step-"
	checkpointDamagedPrefix = ".damaged-step-"
)

// Manifest describes a complete checkpoint.
type Manifest struct {
	Step  int64           `json:"step"`
	Files []ManifestEntry `json:"files"` // sorted by path
}

// ManifestEntry is one file of a checkpoint, its path relative to the
// checkpoint directory with forward slashes.
type ManifestEntry struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// CheckpointStageHook, when set, is called at each stage of a checkpoint
// write with its step: "begun" (the temporary directory is empty),
// "synced" (its files are written and fsynced), "sealed" (the manifest
// too) and "renamed" (in place, checkpoints/ not yet fsynced). It exists
// for crash tests, which stop the process there; it is nil in normal use.
var CheckpointStageHook func(stage string, step int64)

func checkpointStage(stage string, step int64) {
	if CheckpointStageHook != nil {
		CheckpointStageHook(stage, step)
	}
}

// CheckpointWriter writes one checkpoint atomically: files go into Dir, a
// temporary directory beside the final one, and Commit seals and renames
// it into place.
type CheckpointWriter struct {
	Dir   string // write the checkpoint's files here
	final string
	step  int64
}

// BeginCheckpoint starts the checkpoint of a step (at least 1) in
// checkpoints/step-<step>.
func (r *Run) BeginCheckpoint(step int64) (*CheckpointWriter, error) {
	if step < 1 {
		return nil, fmt.Errorf("checkpoint step %d: steps start at 1", step)
	}
	parent := filepath.Join(r.Dir, DirCheckpoints)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(parent, checkpointTempPrefix+strconv.FormatInt(step, 10)+"-")
	if err != nil {
		return nil, err
	}
	checkpointStage("begun", step)
	return &CheckpointWriter{Dir: tmp, final: checkpointPath(r.Dir, step), step: step}, nil
}

func checkpointPath(runDir string, step int64) string {
	return filepath.Join(runDir, DirCheckpoints, "step-"+strconv.FormatInt(step, 10))
}

// Commit fsyncs every file, writes and fsyncs the manifest, renames the
// directory to checkpoints/step-<step> (replacing one left there) and
// fsyncs checkpoints/. A crash at any point leaves either the previous
// state or the complete checkpoint, besides a temporary directory that
// SelectCheckpoint removes.
func (c *CheckpointWriter) Commit() error {
	entries, err := syncTree(c.Dir)
	if err != nil {
		return fmt.Errorf("checkpoint step %d: %w", c.step, err)
	}
	checkpointStage("synced", c.step)
	b, err := json.MarshalIndent(Manifest{Step: c.step, Files: entries}, "", "  ")
	if err != nil {
		return err
	}
	if err := writeSynced(filepath.Join(c.Dir, ManifestFile), append(b, '\n')); err != nil {
		return err
	}
	if err := syncDir(c.Dir); err != nil {
		return err
	}
	checkpointStage("sealed", c.step)
	if err := os.RemoveAll(c.final); err != nil {
		return err
	}
	if err := os.Rename(c.Dir, c.final); err != nil {
		return err
	}
	checkpointStage("renamed", c.step)
	return syncDir(filepath.Dir(c.final))
}

// Abort removes an uncommitted checkpoint.
func (c *CheckpointWriter) Abort() error { return os.RemoveAll(c.Dir) }

// syncTree fsyncs every file and directory under root and describes the
// files.
func syncTree(root string) ([]ManifestEntry, error) {
	var entries []ManifestEntry
	var dirs []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			dirs = append(dirs, path)
			return nil
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s: not a regular file", path)
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		e, err := digestFile(path, true)
		e.Path = filepath.ToSlash(rel)
		entries = append(entries, e)
		return err
	})
	if err != nil {
		return nil, err
	}
	for i := len(dirs) - 1; i >= 0; i-- {
		if err := syncDir(dirs[i]); err != nil {
			return nil, err
		}
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Path < entries[j].Path })
	return entries, nil
}

// digestFile reads a file's size and SHA-256, fsyncing it first if asked.
func digestFile(path string, sync bool) (ManifestEntry, error) {
	f, err := os.Open(path)
	if err != nil {
		return ManifestEntry{}, err
	}
	defer f.Close()
	if sync {
		if err := f.Sync(); err != nil {
			return ManifestEntry{}, fmt.Errorf("%s: fsync: %w", path, err)
		}
	}
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return ManifestEntry{}, fmt.Errorf("%s: %w", path, err)
	}
	return ManifestEntry{Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// writeSynced creates path with b and fsyncs it.
func writeSynced(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%s: fsync: %w", dir, err)
	}
	return nil
}

// ReadManifest reads a checkpoint's manifest without checking its files.
func ReadManifest(dir string) (Manifest, error) {
	path := filepath.Join(dir, ManifestFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Manifest{}, fmt.Errorf("%s is missing: the checkpoint is incomplete (its write was cut short)", path)
	}
	if err != nil {
		return Manifest{}, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return Manifest{}, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// VerifyCheckpoint checks a checkpoint directory against its manifest:
// the manifest's step is the directory's (and positive), every listed file
// has its size and SHA-256, and no other file is present. The error names
// the file and what is wrong.
func VerifyCheckpoint(dir string) (Manifest, error) {
	m, err := ReadManifest(dir)
	if err != nil {
		return m, err
	}
	mpath := filepath.Join(dir, ManifestFile)
	if m.Step < 1 {
		return m, fmt.Errorf("%s: step %d is not a positive step", mpath, m.Step)
	}
	if name := "step-" + strconv.FormatInt(m.Step, 10); filepath.Base(dir) != name {
		return m, fmt.Errorf("%s: step %d does not match the directory name %s", mpath, m.Step, filepath.Base(dir))
	}
	listed := map[string]bool{ManifestFile: true}
	for _, e := range m.Files {
		if err := verifyEntry(dir, e); err != nil {
			return m, err
		}
		listed[e.Path] = true
	}
	return m, unlistedFile(dir, listed)
}

func verifyEntry(dir string, e ManifestEntry) error {
	clean := filepath.Clean(filepath.FromSlash(e.Path))
	if e.Path == "" || filepath.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
		return fmt.Errorf("%s: file path %q leaves the checkpoint", filepath.Join(dir, ManifestFile), e.Path)
	}
	path := filepath.Join(dir, clean)
	got, err := digestFile(path, false)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s is missing (listed in %s)", path, ManifestFile)
	case err != nil:
		return err
	case got.Size != e.Size:
		return fmt.Errorf("%s: size %d bytes, the manifest says %d (the file is truncated or damaged)", path, got.Size, e.Size)
	case got.SHA256 != e.SHA256:
		return fmt.Errorf("%s: SHA-256 %s does not match the manifest's %s (the file is damaged)", path, got.SHA256, e.SHA256)
	}
	return nil
}

// unlistedFile reports a file of dir the manifest does not list.
func unlistedFile(dir string, listed map[string]bool) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		if !listed[filepath.ToSlash(rel)] {
			return fmt.Errorf("%s is not in %s (the checkpoint was changed after it was written)", path, ManifestFile)
		}
		return nil
	})
}

// Selected is the checkpoint a run resumes from, chosen by
// SelectCheckpoint.
type Selected struct {
	Dir   string // "" when the run has no checkpoint to resume from
	Step  int64
	Notes []string // what was removed, skipped or moved aside, and why
}

// SelectCheckpoint chooses the newest checkpoint of runDir whose manifest
// verifies. Temporary directories of writes cut short are removed; newer
// checkpoints that fail verification are moved aside to
// checkpoints/.damaged-step-<N> (the run writes them again); each of these
// becomes a note. With no checkpoint at all, Dir is "". When checkpoints
// exist but none verifies, the error names each one and what is wrong.
func SelectCheckpoint(runDir string) (Selected, error) {
	var sel Selected
	notes, err := removeTempCheckpoints(runDir)
	sel.Notes = notes
	if err != nil {
		return sel, err
	}
	steps, err := Checkpoints(runDir)
	if err != nil {
		return sel, err
	}
	var damaged []string
	for i := len(steps) - 1; i >= 0; i-- {
		dir := checkpointPath(runDir, steps[i])
		if _, err := VerifyCheckpoint(dir); err != nil {
			damaged = append(damaged, dir)
			sel.Notes = append(sel.Notes, fmt.Sprintf("checkpoint step-%d skipped: %v", steps[i], err))
			continue
		}
		sel.Dir, sel.Step = dir, steps[i]
		break
	}
	if sel.Dir == "" && len(damaged) > 0 {
		return sel, fmt.Errorf("no checkpoint of %s verifies, so the run cannot resume:\n  %s\n(remove %s to start the run over)",
			runDir, strings.Join(sel.Notes, "\n  "), runDir)
	}
	for _, dir := range damaged {
		aside, err := moveAside(dir)
		if err != nil {
			return sel, err
		}
		sel.Notes = append(sel.Notes, fmt.Sprintf("moved the damaged checkpoint %s to %s", dir, aside))
	}
	return sel, nil
}

// removeTempCheckpoints deletes checkpoint writes cut short by a crash.
func removeTempCheckpoints(runDir string) ([]string, error) {
	parent := filepath.Join(runDir, DirCheckpoints)
	entries, err := os.ReadDir(parent)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var notes []string
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), checkpointTempPrefix) {
			continue
		}
		path := filepath.Join(parent, e.Name())
		if err := os.RemoveAll(path); err != nil {
			return notes, err
		}
		notes = append(notes, "removed "+path+", a checkpoint write cut short")
	}
	return notes, nil
}

// moveAside renames a damaged checkpoint out of the list of checkpoints.
func moveAside(dir string) (string, error) {
	base := filepath.Join(filepath.Dir(dir), checkpointDamagedPrefix+strings.TrimPrefix(filepath.Base(dir), "step-"))
	aside := base
	for n := 2; ; n++ {
		if _, err := os.Lstat(aside); errors.Is(err, fs.ErrNotExist) {
			break
		}
		aside = fmt.Sprintf("%s.%d", base, n)
	}
	return aside, os.Rename(dir, aside)
}
