package container

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/client"

	"github.com/seeupo/seeupo/harness/env"
)

// FleetOptions configure a Fleet: the containers' settings, as a Pool
// takes them (Replicas is the fleet's total), and the engines.
type FleetOptions struct {
	Options
	// Engines are the endpoints the containers are spread over.
	Engines []Engine
	// Prepare readies an engine before containers go on it, e.g. builds
	// or loads the image there (nil: the image must be there already).
	Prepare func(ctx context.Context, cli *client.Client, e Engine) error
	// PingEvery is how often each engine is asked whether it is there
	// (default 1 s); an engine that fails LostAfter pings in a row
	// (default 3) is lost: its containers are taken out of the fleet and
	// as many are started on the other engines.
	PingEvery time.Duration
	LostAfter int
}

func (o *FleetOptions) setFleetDefaults() error {
	if len(o.Engines) == 0 {
		return errors.New("container fleet: no engine")
	}
	seen := map[string]bool{}
	for i := range o.Engines {
		e := &o.Engines[i]
		if e.Weight == 0 {
			e.Weight = 1
		}
		if e.Weight < 0 || math.IsNaN(e.Weight) || math.IsInf(e.Weight, 0) {
			return fmt.Errorf("container fleet: engine %s has weight %v; want a positive number", e.Host, e.Weight)
		}
		if seen[e.Host] {
			return fmt.Errorf("container fleet: engine %s is listed twice", e.Host)
		}
		seen[e.Host] = true
	}
	if o.PingEvery <= 0 {
		o.PingEvery = time.Second
	}
	if o.LostAfter <= 0 {
		o.LostAfter = 3
	}
	if o.Replicas <= 0 {
		o.Replicas = 1
	}
	if o.MemoryBytes <= 0 {
		o.MemoryBytes = 512 << 20
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return nil
}

// Fleet is a set of environment containers spread over several Docker
// engines: one Pool per engine, each with its own network. Containers
// are placed by the engines' weights within their free memory; an engine
// that stops answering is dropped and its share started on the others.
type Fleet struct {
	opts  FleetOptions
	runID string

	mu      sync.Mutex
	engines []*fleetEngine

	stopMonitor context.CancelFunc
	monitorDone chan struct{}
	closeOnce   sync.Once
	closeErr    error
}

// fleetEngine is one engine of a fleet and its pool.
type fleetEngine struct {
	Engine
	index    int
	cli      *client.Client
	pool     *Pool // nil until a container is placed on it
	free     int   // containers its free memory held at the start, less those placed since
	failures int   // pings failed in a row
	lost     bool
}

// runID is the run label of the engine's pool.
func (e *fleetEngine) runID(fleet string) string { return fleet + "-e" + strconv.Itoa(e.index) }

// members are the engine's containers.
func (e *fleetEngine) members() []*Member {
	if e.pool == nil {
		return nil
	}
	return e.pool.Members()
}

// StartFleet connects to every engine, prepares each, places
// opts.Replicas containers and returns when every one answers its health
// check. A failed start removes what it created.
func StartFleet(ctx context.Context, opts FleetOptions) (*Fleet, error) {
	if err := opts.setFleetDefaults(); err != nil {
		return nil, err
	}
	f := &Fleet{opts: opts, runID: runIDOr(opts.RunID)}
	ok := false
	defer func() {
		if !ok {
			f.removeAll()
		}
	}()
	if err := f.connect(ctx); err != nil {
		return nil, err
	}
	counts, err := place(opts.Replicas, f.engines)
	if err != nil {
		return nil, fmt.Errorf("%w (each container takes env.docker.memory_mb = %d MiB; %s)", err, opts.MemoryBytes>>20, f.freeSummary())
	}
	if err := f.startPools(ctx, counts); err != nil {
		return nil, err
	}
	mctx, cancel := context.WithCancel(context.Background())
	f.stopMonitor, f.monitorDone = cancel, make(chan struct{})
	go f.monitor(mctx)
	ok = true
	f.opts.Logger.Info("container fleet ready", "run", f.runID, "containers", len(f.Members()), "placement", f.placement())
	return f, nil
}

// connect reaches, prepares and sizes every engine, all at once.
func (f *Fleet) connect(ctx context.Context) error {
	f.engines = make([]*fleetEngine, len(f.opts.Engines))
	errs := make([]error, len(f.opts.Engines))
	var wg sync.WaitGroup
	for i, e := range f.opts.Engines {
		f.engines[i] = &fleetEngine{Engine: e, index: i}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = f.connectEngine(ctx, f.engines[i])
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (f *Fleet) connectEngine(ctx context.Context, e *fleetEngine) error {
	cli, err := ConnectEngine(ctx, e.Engine)
	if err != nil {
		return err
	}
	e.cli = cli
	if f.opts.Prepare != nil {
		if err := f.opts.Prepare(ctx, cli, e.Engine); err != nil {
			return fmt.Errorf("engine %s: %w", e.Host, err)
		}
	}
	free, err := freeMemory(ctx, cli)
	if err != nil {
		return fmt.Errorf("engine %s: %w", e.Host, err)
	}
	e.free = int(free / f.opts.MemoryBytes)
	f.opts.Logger.Info("engine joined the fleet", "engine", e.Host, "weight", e.Weight, "free_containers", e.free)
	return nil
}

// freeMemory is the engine's memory less the memory limits of the
// environment containers (any run's) running on it.
func freeMemory(ctx context.Context, cli *client.Client) (int64, error) {
	info, err := cli.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("asking for its memory: %w", err)
	}
	list, err := cli.ContainerList(ctx, container.ListOptions{Filters: labelFilter("")})
	if err != nil {
		return 0, fmt.Errorf("listing its containers: %w", err)
	}
	used := int64(0)
	for _, c := range list {
		if ci, err := cli.ContainerInspect(ctx, c.ID); err == nil && ci.HostConfig != nil {
			used += ci.HostConfig.Memory
		}
	}
	return max(0, info.MemTotal-used), nil
}

// place assigns n more containers to the engines that are not lost: each
// to the engine with the least (containers + 1) / weight among those with
// room for one more, ties to the one with more room, then to the earlier
// listed. So containers are shared by weight, within each engine's free
// memory. It returns the new containers per engine and takes them off
// the engines' free room.
func place(n int, engines []*fleetEngine) ([]int, error) {
	counts := make([]int, len(engines))
	free := make([]int, len(engines))
	for i, e := range engines {
		free[i] = e.free
	}
	for range n {
		best := -1
		bestLoad := math.Inf(1)
		for i, e := range engines {
			if e.lost || free[i] <= 0 {
				continue
			}
			load := float64(len(e.members())+counts[i]+1) / e.Weight
			if load < bestLoad || (load == bestLoad && free[i] > free[best]) {
				best, bestLoad = i, load
			}
		}
		if best < 0 {
			return nil, fmt.Errorf("%w: room for %d of %d containers", errNoEngine, sum(counts), n)
		}
		counts[best]++
		free[best]--
	}
	for i, e := range engines {
		e.free = free[i]
	}
	return counts, nil
}

func sum(xs []int) int {
	s := 0
	for _, x := range xs {
		s += x
	}
	return s
}

// startPools starts counts[i] containers on engine i, all engines at once.
func (f *Fleet) startPools(ctx context.Context, counts []int) error {
	errs := make([]error, len(counts))
	var wg sync.WaitGroup
	for i, n := range counts {
		if n == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = f.grow(ctx, f.engines[i], n)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// grow adds n containers on engine e, starting its pool if it has none.
func (f *Fleet) grow(ctx context.Context, e *fleetEngine, n int) error {
	if e.pool != nil {
		_, err := e.pool.Grow(ctx, n)
		return err
	}
	o := f.opts.Options
	o.Replicas = n
	o.RunID = e.runID(f.runID)
	p, err := Start(ctx, e.cli, o)
	if err != nil {
		return fmt.Errorf("engine %s: %w", e.Host, err)
	}
	f.mu.Lock()
	e.pool = p
	f.mu.Unlock()
	return nil
}

// RunID is the fleet's run; engine i's objects carry the run label
// RunID()+"-e<i>".
func (f *Fleet) RunID() string { return f.runID }

// EngineRunID is the run label of the objects on engine i.
func (f *Fleet) EngineRunID(i int) string { return f.engines[i].runID(f.runID) }

// Members are the containers on the engines that are not lost.
func (f *Fleet) Members() []*Member {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ms []*Member
	for _, e := range f.engines {
		if !e.lost {
			ms = append(ms, e.members()...)
		}
	}
	return ms
}

// EngineMembers are the containers on engine i (none once it is lost).
func (f *Fleet) EngineMembers(i int) []*Member {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.engines[i].lost {
		return nil
	}
	return f.engines[i].members()
}

// Lost says whether engine i was dropped from the fleet.
func (f *Fleet) Lost(i int) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.engines[i].lost
}

// Backends returns a driver backend per container of the engines that are
// not lost; pass it as env.RunOptions.Members so that a run follows the
// fleet as engines are lost and containers replaced.
func (f *Fleet) Backends(suite string) []env.Backend {
	return memberBackends(f.Members(), suite)
}

// freeSummary lists the room for containers on each engine at the start.
func (f *Fleet) freeSummary() string {
	parts := make([]string, len(f.engines))
	for i, e := range f.engines {
		parts[i] = fmt.Sprintf("%s has room for %d", e.Host, e.free)
	}
	return strings.Join(parts, ", ")
}

// placement describes the containers per engine, for the log.
func (f *Fleet) placement() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	parts := make([]string, len(f.engines))
	for i, e := range f.engines {
		state := strconv.Itoa(len(e.members()))
		if e.lost {
			state = "lost"
		}
		parts[i] = e.Host + "=" + state
	}
	return strings.Join(parts, " ")
}

// monitor pings the engines until ctx ends; an engine that fails
// LostAfter pings in a row is dropped and its containers replaced.
func (f *Fleet) monitor(ctx context.Context) {
	defer close(f.monitorDone)
	t := time.NewTicker(f.opts.PingEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for _, e := range f.engines {
			if f.Lost(e.index) {
				continue
			}
			if f.ping(ctx, e) {
				continue
			}
			if ctx.Err() != nil {
				return
			}
			f.drop(ctx, e)
		}
	}
}

// ping asks e whether it is there and says whether it still counts as
// present.
func (f *Fleet) ping(ctx context.Context, e *fleetEngine) bool {
	pctx, cancel := context.WithTimeout(ctx, max(2*time.Second, 2*f.opts.PingEvery))
	_, err := e.cli.Ping(pctx)
	cancel()
	if err == nil {
		e.failures = 0
		return true
	}
	e.failures++
	f.opts.Logger.Warn("engine did not answer", "engine", e.Host, "failures", e.failures, "err", err)
	return e.failures < f.opts.LostAfter
}

// drop takes engine e out of the fleet and starts as many containers as
// it held on the other engines.
func (f *Fleet) drop(ctx context.Context, e *fleetEngine) {
	f.mu.Lock()
	e.lost = true
	f.mu.Unlock()
	n := 0
	if e.pool != nil {
		n = len(e.pool.Members())
		e.pool.stopWatching()
	}
	f.opts.Logger.Warn("engine lost; its containers leave the fleet", "engine", e.Host, "containers", n)
	if n == 0 {
		return
	}
	f.mu.Lock()
	counts, err := place(n, f.engines)
	f.mu.Unlock()
	if err != nil {
		f.opts.Logger.Error("no engine can take the lost engine's containers", "engine", e.Host, "err", err)
		return
	}
	if err := f.startPools(ctx, counts); err != nil {
		f.opts.Logger.Error("replacing the lost engine's containers", "engine", e.Host, "err", err)
		return
	}
	f.opts.Logger.Info("lost engine's containers replaced", "engine", e.Host, "containers", n, "placement", f.placement())
}

// Close stops the monitor and removes the fleet's containers and networks
// on every engine. On a lost engine it tries for a short while; what it
// cannot remove there is named in the error (seeupo env down removes it
// once the engine is back).
func (f *Fleet) Close() error {
	f.closeOnce.Do(func() {
		if f.stopMonitor != nil {
			f.stopMonitor()
			<-f.monitorDone
		}
		f.closeErr = f.removeAll()
		f.opts.Logger.Info("container fleet removed", "run", f.runID)
	})
	return f.closeErr
}

// removeAll closes every engine's pool and client, all engines at once.
func (f *Fleet) removeAll() error {
	errs := make([]error, len(f.engines))
	var wg sync.WaitGroup
	for i, e := range f.engines {
		if e == nil || e.cli == nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = f.removeOn(e)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// removeOn removes the fleet's objects on e: through its pool, or, for a
// start that failed before the pool existed or an engine that was lost,
// by the run label within a bounded time.
func (f *Fleet) removeOn(e *fleetEngine) error {
	defer e.cli.Close()
	if e.pool != nil && !e.lost {
		return e.pool.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	run := e.runID(f.runID)
	if err := Down(ctx, e.cli, run); err != nil {
		if e.lost {
			return fmt.Errorf("engine %s was lost during the run; its objects labelled %s=%s may remain there (seeupo env down removes them): %w", e.Host, LabelRun, run, err)
		}
		return fmt.Errorf("engine %s: %w", e.Host, err)
	}
	return nil
}
