// Package container runs environment servers ("seeupo env serve", or an
// image's own server such as AppWorld's) as Docker containers through the
// Docker Engine API: it builds the environment image locally from a static
// seeupo binary (FROM scratch, nothing pulled), starts a pool of hardened
// containers on a private network (with a volume of the run where asked),
// waits for them to answer, restarts one that dies, and removes
// everything on Close. Every object it creates carries the label
// io.seeupo.env, so Down removes leftovers of a run that could not clean up.
//
// DOCKER_HOST (and DOCKER_TLS_VERIFY, DOCKER_CERT_PATH) select the engine;
// the API version is negotiated, so older engines (API 1.41) work.
package container

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/docker/docker/api/types/build"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"
)

// Labels put on every object this package creates.
const (
	LabelEnv    = "io.seeupo.env"        // "1" on every container, network and image
	LabelRun    = "io.seeupo.env.run"    // the pool's run id
	LabelMember = "io.seeupo.env.member" // the container's index in its pool
)

// ServerPort is the port "seeupo env serve" listens on inside a container.
const ServerPort = 8000

// User is the unprivileged uid:gid the server runs as (nobody:nogroup).
const User = "65534:65534"

// DataMount is where the data directory is mounted, read-only.
const DataMount = "/data"

// Connect returns a client for the engine named by the environment
// (DOCKER_HOST, default the local socket; an ssh:// one as ConnectEngine
// reaches it) with the API version negotiated, after checking that the
// engine answers.
func Connect(ctx context.Context) (*client.Client, error) {
	if host := os.Getenv("DOCKER_HOST"); strings.HasPrefix(host, "ssh://") {
		return ConnectEngine(ctx, Engine{Host: host})
	}
	cli, err := client.NewClientWithOpts(client.FromEnv, client.WithAPIVersionNegotiation())
	if err != nil {
		return nil, fmt.Errorf("docker client: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := cli.Ping(pctx); err != nil {
		cli.Close()
		return nil, fmt.Errorf("no Docker engine answers at %s: %w", cli.DaemonHost(), err)
	}
	cli.NegotiateAPIVersion(ctx)
	return cli, nil
}

// BuildBinary compiles a static seeupo binary (CGO_ENABLED=0) from the
// source checkout at moduleRoot into out.
func BuildBinary(ctx context.Context, moduleRoot, out string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", out, "./cmd/seeupo")
	cmd.Dir = moduleRoot
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building the static seeupo binary in %s: %w\n%s", moduleRoot, err, msg)
	}
	return nil
}

// CheckStatic returns an error unless path is a statically linked Linux
// executable, the only kind that runs in a FROM scratch image.
func CheckStatic(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return fmt.Errorf("%s: not a Linux executable: %w", path, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("%s is dynamically linked; build it with CGO_ENABLED=0 go build -o bin/seeupo-static ./cmd/seeupo", path)
		}
	}
	return nil
}

// ImageTag is the tag of the image built from the binary at path: the
// repository plus a digest of the binary, so a changed binary gets a new
// image and an unchanged one reuses the old.
func ImageTag(repo, path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	if i := strings.LastIndex(repo, ":"); i > strings.LastIndex(repo, "/") {
		repo = repo[:i] // a tag given with the repository is replaced
	}
	return repo + ":" + hex.EncodeToString(h.Sum(nil))[:16], nil
}

// dockerfile is the whole image: the binary, an unprivileged user, and the
// server as entry point. The suites come as the container's arguments.
var dockerfile = fmt.Sprintf(`FROM scratch
COPY seeupo /seeupo
USER %s
EXPOSE %d/tcp
LABEL %s=1
ENTRYPOINT ["/seeupo", "--data-dir", "%s", "env", "serve", "--addr", "0.0.0.0:%d"]
`, User, ServerPort, LabelEnv, DataMount, ServerPort)

// BuildImage builds the environment image from the static binary at
// binary and tags it tag, unless an image with that tag exists. The build
// context is a tar stream made here; the classic builder is used and
// nothing is pulled (FROM scratch).
func BuildImage(ctx context.Context, cli *client.Client, binary, tag string) (built bool, err error) {
	if _, err := cli.ImageInspect(ctx, tag); err == nil {
		return false, nil
	} else if !client.IsErrNotFound(err) {
		return false, fmt.Errorf("inspecting image %s: %w", tag, err)
	}
	if err := CheckStatic(binary); err != nil {
		return false, err
	}
	tarball, err := buildContext(binary)
	if err != nil {
		return false, err
	}
	resp, err := cli.ImageBuild(ctx, tarball, build.ImageBuildOptions{
		Tags:        []string{tag},
		Remove:      true,
		ForceRemove: true,
		PullParent:  false,
		Version:     build.BuilderV1,
		Labels:      map[string]string{LabelEnv: "1"},
	})
	if err != nil {
		return false, fmt.Errorf("building image %s: %w", tag, err)
	}
	defer resp.Body.Close()
	if err := readBuildStream(resp.Body); err != nil {
		return false, fmt.Errorf("building image %s: %w", tag, err)
	}
	return true, nil
}

func buildContext(binary string) (io.Reader, error) {
	bin, err := os.ReadFile(binary)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range []struct {
		name string
		mode int64
		data []byte
	}{{"Dockerfile", 0o644, []byte(dockerfile)}, {"seeupo", 0o755, bin}} {
		hdr := &tar.Header{Name: f.name, Mode: f.mode, Size: int64(len(f.data)), ModTime: time.Unix(0, 0)}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if _, err := tw.Write(f.data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return &buf, nil
}

// readBuildStream drains the engine's JSON progress stream and returns the
// build's error, if it reports one.
func readBuildStream(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	var tail []string
	for sc.Scan() {
		var msg struct {
			Stream string `json:"stream"`
			Error  string `json:"error"`
		}
		if json.Unmarshal(sc.Bytes(), &msg) != nil {
			continue
		}
		if msg.Error != "" {
			return fmt.Errorf("%s (after: %s)", msg.Error, strings.Join(tail, " | "))
		}
		if s := strings.TrimSpace(msg.Stream); s != "" {
			tail = append(tail, s)
			if len(tail) > 5 {
				tail = tail[1:]
			}
		}
	}
	return sc.Err()
}

// CopyImage puts the image ref (a tag or ID) of engine src on engine dst,
// as docker save | docker load do, unless dst has it already: no
// registry is involved. It is a fleet's way to ready an engine for an
// image that is not built from the binary (FleetOptions.Prepare).
func CopyImage(ctx context.Context, src, dst *client.Client, ref string) (copied bool, err error) {
	if _, err := dst.ImageInspect(ctx, ref); err == nil {
		return false, nil
	} else if !client.IsErrNotFound(err) {
		return false, fmt.Errorf("inspecting image %s at %s: %w", ref, dst.DaemonHost(), err)
	}
	return true, streamImage(ctx, src, dst, ref)
}

// streamImage streams ref from src's save to dst's load.
func streamImage(ctx context.Context, src, dst *client.Client, ref string) error {
	saved, err := src.ImageSave(ctx, []string{ref})
	if err != nil {
		return fmt.Errorf("saving image %s at %s: %w", ref, src.DaemonHost(), err)
	}
	defer saved.Close()
	resp, err := dst.ImageLoad(ctx, saved)
	if err != nil {
		return fmt.Errorf("loading image %s at %s: %w", ref, dst.DaemonHost(), err)
	}
	defer resp.Body.Close()
	if err := readBuildStream(resp.Body); err != nil {
		return fmt.Errorf("loading image %s at %s: %w", ref, dst.DaemonHost(), err)
	}
	if _, err := dst.ImageInspect(ctx, ref); err != nil {
		return fmt.Errorf("image %s at %s after loading it: %w", ref, dst.DaemonHost(), err)
	}
	return nil
}

// ResolveBinary returns a static seeupo binary for the image: path when
// given (it must be static), else the running executable when it is
// static, else one compiled from the source checkout at moduleRoot into
// cacheDir.
func ResolveBinary(ctx context.Context, path, moduleRoot, cacheDir string) (string, error) {
	if path != "" {
		return path, CheckStatic(path)
	}
	if self, err := os.Executable(); err == nil && CheckStatic(self) == nil && !strings.HasSuffix(self, ".test") {
		return self, nil
	}
	if moduleRoot == "" {
		return "", errors.New("the running seeupo is not statically linked and no source checkout was found; " +
			"build one with CGO_ENABLED=0 go build ./cmd/seeupo and pass it with --binary")
	}
	out := filepath.Join(cacheDir, "seeupo-static")
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return "", err
	}
	return out, BuildBinary(ctx, moduleRoot, out)
}

// RemoveImages removes every image labelled io.seeupo.env and returns how
// many it removed.
func RemoveImages(ctx context.Context, cli *client.Client) (int, error) {
	imgs, err := cli.ImageList(ctx, image.ListOptions{Filters: filters.NewArgs(filters.Arg("label", LabelEnv+"=1"))})
	if err != nil {
		return 0, fmt.Errorf("listing images: %w", err)
	}
	n := 0
	var errs []error
	for _, im := range imgs {
		if _, err := cli.ImageRemove(ctx, im.ID, image.RemoveOptions{Force: true, PruneChildren: true}); err != nil && !client.IsErrNotFound(err) {
			errs = append(errs, fmt.Errorf("removing image %s: %w", im.ID, err))
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}
