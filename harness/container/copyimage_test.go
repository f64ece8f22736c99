package container

import (
	"archive/tar"
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/build"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/client"

	"github.com/seeupo/seeupo/harness/env"
	"github.com/seeupo/seeupo/internal/testengine"
)

// TestStreamImageBetweenEndpoints copies an image from the engine's
// socket to the same engine over a second endpoint (TCP with TLS): the
// load answers and the tag is there afterwards. A tag that the source
// lacks is an error naming it; CopyImage copies nothing when the
// destination has the image.
func TestStreamImageBetweenEndpoints(t *testing.T) {
	ctx := context.Background()
	src, err := Connect(ctx)
	if err != nil {
		t.Skipf("needs a Docker engine (install one, or set DOCKER_HOST): %v", err)
	}
	defer src.Close()
	remote := testengine.NewTLSEndpoint(t, src)
	dst, err := ConnectEngine(ctx, Engine{Host: remote.URL, TLSDir: remote.TLSDir})
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	tag := buildTinyImage(t, src)
	if err := streamImage(ctx, src, dst, tag); err != nil {
		t.Fatal(err)
	}
	if _, err := dst.ImageInspect(ctx, tag); err != nil {
		t.Fatalf("after the copy: %v", err)
	}
	if copied, err := CopyImage(ctx, src, dst, tag); copied || err != nil {
		t.Errorf("CopyImage of an image the destination has: copied %v, err %v", copied, err)
	}
	err = streamImage(ctx, src, dst, "seeupo-no-such-image:none")
	if err == nil || !strings.Contains(err.Error(), "seeupo-no-such-image:none") {
		t.Errorf("copying a missing image: %v", err)
	}
}

// buildTinyImage builds a FROM scratch image of one small file, tagged
// for this test and removed at its end.
func buildTinyImage(t *testing.T, cli *client.Client) string {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for name, data := range map[string]string{"Dockerfile": "FROM scratch\nCOPY f /f\n", "f": "not a program\n"} {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data))}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(data))
	}
	tw.Close()
	tag := "seeupo-copy-test:" + env.NewInstanceID()[5:15]
	resp, err := cli.ImageBuild(context.Background(), &buf, build.ImageBuildOptions{Tags: []string{tag}, Remove: true, Version: build.BuilderV1})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := readBuildStream(resp.Body); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cli.ImageRemove(context.Background(), tag, image.RemoveOptions{Force: true, PruneChildren: true})
	})
	return tag
}
