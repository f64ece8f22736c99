package native

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/seeupo/seeupo/appworld/protocol"
	"github.com/seeupo/seeupo/appworld/world"
)

// memOutputsCap is how many task directories a server without a root
// keeps in memory; older ones are dropped.
const memOutputsCap = 64

// outputs is where experiments keep their tasks' outputs, laid out as
// AppWorld's server lays them out under its root:
// experiments/outputs/<experiment>/tasks/<task>/{dbs,checkpoints/<state>,logs}.
// With a root they are files; without one they are kept in memory.
type outputs struct {
	root string

	mu    sync.Mutex
	mem   map[string]map[string][]byte // task directory → file name (relative to it) → content
	order []string                     // task directories, least recently written first
}

func newOutputs(root string) *outputs {
	return &outputs{root: root, mem: map[string]map[string][]byte{}}
}

var safeName = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)

// validName reports whether name is a path of safe components: no empty,
// "." or ".." component, letters, digits, '.', '_' and '-' only.
func validName(name string, slashes bool) error {
	parts := []string{name}
	if slashes {
		parts = strings.Split(name, "/")
	}
	for _, p := range parts {
		if p == "." || p == ".." || !safeName.MatchString(p) {
			return fmt.Errorf("%w: %q is not a valid name (letters, digits, '.', '_', '-'%s)", protocol.ErrInvalid, name,
				map[bool]string{true: " and '/' between parts", false: ""}[slashes])
		}
	}
	return nil
}

// taskDir is the output directory of a task in an experiment, relative to
// the root.
func taskDir(experiment, taskID string) string {
	return path.Join("experiments", "outputs", experiment, "tasks", taskID)
}

// reset empties a task directory.
func (o *outputs) reset(dir string) error {
	if o.root != "" {
		return os.RemoveAll(filepath.Join(o.root, filepath.FromSlash(dir)))
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.mem, dir)
	o.touch(dir, false)
	return nil
}

// write stores a file of a task directory; on disk it is replaced whole,
// so a reader never sees half of it.
func (o *outputs) write(dir, name string, data []byte) error {
	if o.root == "" {
		o.mu.Lock()
		defer o.mu.Unlock()
		if o.mem[dir] == nil {
			o.mem[dir] = map[string][]byte{}
		}
		o.mem[dir][name] = data
		o.touch(dir, true)
		return nil
	}
	p := filepath.Join(o.root, filepath.FromSlash(dir), filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp.*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), p)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// touch moves dir to the end of the order (or drops it) and evicts the
// oldest directories past the cap. o.mu is held.
func (o *outputs) touch(dir string, keep bool) {
	for i, d := range o.order {
		if d == dir {
			o.order = append(o.order[:i], o.order[i+1:]...)
			break
		}
	}
	if !keep {
		return
	}
	o.order = append(o.order, dir)
	for len(o.order) > memOutputsCap {
		delete(o.mem, o.order[0])
		o.order = o.order[1:]
	}
}

// read returns a file of a task directory; a missing one is
// protocol.ErrNotFound.
func (o *outputs) read(dir, name string) ([]byte, error) {
	if o.root == "" {
		o.mu.Lock()
		defer o.mu.Unlock()
		data, ok := o.mem[dir][name]
		if !ok {
			return nil, fmt.Errorf("%w: %s/%s", protocol.ErrNotFound, dir, name)
		}
		return data, nil
	}
	data, err := os.ReadFile(filepath.Join(o.root, filepath.FromSlash(dir), filepath.FromSlash(name)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s/%s", protocol.ErrNotFound, dir, name)
	}
	return data, err
}

// A saved state is the world's database image and the supervisor's
// complete_task record, in a state directory (dbs, or checkpoints/<id>).
const (
	stateDB         = "world.sqlite"
	stateCompletion = "completion.json"
)

// saveState saves w's state under dir/sub.
func (o *outputs) saveState(dir, sub string, w *world.World) error {
	img, err := w.Store().Image()
	if err != nil {
		return err
	}
	done, err := json.Marshal(w.Completion())
	if err != nil {
		return err
	}
	if err := o.write(dir, sub+"/"+stateDB, img); err != nil {
		return err
	}
	return o.write(dir, sub+"/"+stateCompletion, done)
}

// loadState reads a state saved under dir/sub: the database and the
// complete_task record (nil when the task was not completed).
func (o *outputs) loadState(dir, sub string) (*world.Store, *world.Completion, error) {
	img, err := o.read(dir, sub+"/"+stateDB)
	if err != nil {
		return nil, nil, err
	}
	raw, err := o.read(dir, sub+"/"+stateCompletion)
	if err != nil {
		return nil, nil, err
	}
	var done *world.Completion
	if err := json.Unmarshal(raw, &done); err != nil {
		return nil, nil, fmt.Errorf("%s/%s: %w", dir, sub, err)
	}
	store, err := world.NewStore(img)
	return store, done, err
}
