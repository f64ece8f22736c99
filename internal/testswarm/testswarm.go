// Package testswarm gives tests a one-node Docker Swarm on the local
// engine without two test binaries pulling it from under each other.
//
// go test runs packages side by side, and more than one package tests
// Swarm services. Use takes a machine-wide lock (an flock on a file in
// the temporary directory) for the test's duration, makes the engine a
// one-node Swarm when it is in none (listening on the loopback only), and
// when the test ends leaves that Swarm again and releases the lock. A
// Swarm that was there before is used and left alone. Other packages'
// Swarm tests wait for the lock; tests that use only plain containers are
// not affected.
package testswarm

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"

	"github.com/docker/docker/api/types/swarm"
	"github.com/docker/docker/client"
)

// LockFile is the lock's file name in os.TempDir().
const LockFile = "seeupo-test-swarm.lock"

// turn lets one test of this binary hold the Swarm at a time (flock is
// per open file, so two locks of one process would not exclude each
// other); holder is that test.
var (
	turn   = make(chan struct{}, 1)
	mu     sync.Mutex
	holder testing.TB
)

// Use makes cli's engine a Swarm manager for the rest of t, as the package
// doc says; a second Use in the same test does nothing more. It fails t
// when the engine is a Swarm worker or its Swarm is in another state than
// active or inactive.
func Use(t testing.TB, cli *client.Client) {
	t.Helper()
	mu.Lock()
	held := holder == t
	mu.Unlock()
	if held {
		return
	}
	turn <- struct{}{}
	f, err := lock()
	if err != nil {
		<-turn
		t.Fatal(err)
	}
	mu.Lock()
	holder = t
	mu.Unlock()
	created, err := join(context.Background(), cli)
	t.Cleanup(func() {
		if created {
			if err := cli.SwarmLeave(context.Background(), true); err != nil {
				t.Errorf("leaving the test's Swarm: %v", err)
			}
		}
		f.Close() // releases the flock
		mu.Lock()
		holder = nil
		mu.Unlock()
		<-turn
	})
	if err != nil {
		t.Fatal(err)
	}
}

// lock opens the lock file and waits for its exclusive lock.
func lock() (*os.File, error) {
	path := filepath.Join(os.TempDir(), LockFile)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		return nil, fmt.Errorf("the Swarm tests' lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("the Swarm tests' lock %s: %w", path, err)
	}
	return f, nil
}

// join makes the engine a one-node Swarm manager when it is in no Swarm;
// created says whether it did.
func join(ctx context.Context, cli *client.Client) (created bool, err error) {
	info, err := cli.Info(ctx)
	if err != nil {
		return false, err
	}
	switch info.Swarm.LocalNodeState {
	case swarm.LocalNodeStateActive:
		if !info.Swarm.ControlAvailable {
			return false, fmt.Errorf("the engine is a Swarm worker; the tests need a manager")
		}
		return false, nil
	case swarm.LocalNodeStateInactive:
		if _, err := cli.SwarmInit(ctx, swarm.InitRequest{ListenAddr: "127.0.0.1:2377", AdvertiseAddr: "127.0.0.1"}); err != nil {
			return false, fmt.Errorf("docker swarm init: %w", err)
		}
		return true, nil
	}
	return false, fmt.Errorf("the engine's Swarm state is %q", info.Swarm.LocalNodeState)
}
