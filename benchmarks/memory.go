package benchmarks

import (
	"fmt"
	"github.com/seeupo/seeupo/bfcl"
	"strings"

	"github.com/seeupo/seeupo/policy/transformer"
)

// FamilyMemory is the memory estimate of one run of a task family: the
// model, its optimiser, the reference and critic, the KV cache of the
// largest generated batch and one micro-batch's activations
// (transformer.Config.Memory), against the memory available.
type FamilyMemory struct {
	Family    string
	Config    transformer.Config
	Workload  transformer.Workload
	Memory    transformer.Memory
	Available uint64 // bytes (0: unknown)
}

// Fits reports whether the estimate is within the memory available (or
// that is unknown).
func (m FamilyMemory) Fits() bool {
	return m.Available == 0 || uint64(m.Memory.Total()) <= m.Available
}

// String is one line: the total, its parts and the memory available.
func (m FamilyMemory) String() string {
	x := m.Memory
	var parts []string
	add := func(name string, b int64) {
		if b > 0 {
			parts = append(parts, name+" "+byteSize(b))
		}
	}
	add("weights", x.Weights)
	add("gradients", x.Gradients)
	add("optimiser", x.Optimizer)
	add("reference", x.Reference)
	add("critic", x.Critic)
	if x.KVCache > 0 {
		parts = append(parts, fmt.Sprintf("KV cache %s (%d sequences × %d tokens)", byteSize(x.KVCache),
			m.Workload.Sequences, m.Workload.Context))
	}
	add("activations", x.Activations)
	avail := "memory available unknown"
	if m.Available > 0 {
		avail = byteSize(int64(m.Available)) + " available"
	}
	return fmt.Sprintf("%s: %s model (%d parameters) needs about %s: %s; %s", m.Family, m.Config.ModelType,
		m.Config.ParamCount(), byteSize(x.Total()), strings.Join(parts, ", "), avail)
}

// MemoryPlan estimates one run of each task family of the suite. With
// remote generation (servers generate the rollouts) the trainer holds no
// KV cache.
func (c SuiteConfig) MemoryPlan(remote bool) ([]FamilyMemory, error) {
	return c.memoryPlan(remote, nil)
}

// memoryPlan is MemoryPlan with the families' evaluation task counts when
// known (nil: estimated from the settings).
func (c SuiteConfig) memoryPlan(remote bool, evalTasks map[string]int) ([]FamilyMemory, error) {
	var out []FamilyMemory
	for _, name := range c.FamilyNames() {
		fc := c
		if name == AppWorldFamilyName {
			fc = c.appWorldConfig()
		}
		cfg, err := fc.modelConfig()
		if err != nil {
			return nil, err
		}
		n, ok := evalTasks[name]
		if !ok {
			n = fc.evalTaskCount(name)
		}
		w := fc.workload(cfg, remote, n)
		out = append(out, FamilyMemory{Family: name, Config: cfg, Workload: w, Memory: cfg.Memory(w), Available: hostMemory()})
	}
	return out, nil
}

// workload is what one run of the (family's) suite asks of its model:
// training with a reference, a critic when an algorithm needs one, and the
// larger of a training step's batch (tasks_per_step × group_size) and an
// evaluation's (eval_tasks, or all nEval evaluation tasks, × eval_samples)
// generated at once, up to rl.max_context tokens (the model's context when
// 0).
func (c SuiteConfig) workload(cfg transformer.Config, remote bool, nEval int) transformer.Workload {
	w := transformer.Workload{Train: true, Reference: true, Critic: c.needsCritic(), MicroBatchTokens: c.Model.MicroBatchTokens}
	if remote {
		return w
	}
	evalTasks := c.RL.EvalTasks
	if evalTasks == 0 || (nEval > 0 && nEval < evalTasks) {
		evalTasks = nEval
	}
	w.Sequences = max(c.RL.TasksPerStep*c.RL.GroupSize, evalTasks*c.RL.EvalSamples)
	w.Context = c.RL.MaxContext
	if w.Context == 0 || w.Context > cfg.MaxPositionEmbeddings {
		w.Context = cfg.MaxPositionEmbeddings
	}
	return w
}

// checkPlan logs the memory estimate of the family's runs as the run's
// first line and refuses a run that will not fit.
func checkPlan(f *family, o RunOptions) error {
	plan, err := f.cfg.memoryPlan(o.Servers != nil, map[string]int{f.name: len(f.test)})
	if err != nil {
		return err
	}
	for _, m := range plan {
		if m.Family != f.name {
			continue
		}
		logf(o.Log, "memory: %s", m)
		if !m.Fits() {
			return fmt.Errorf("%s: the run needs about %s, more than the %s of memory available (see seeupo doctor); "+
				"lower rl.tasks_per_step, rl.group_size, rl.eval_tasks, rl.max_context or model.micro_batch_tokens, "+
				"generate on servers (rl.generator: remote), or use a smaller model",
				m.Family, byteSize(m.Memory.Total()), byteSize(int64(m.Available)))
		}
	}
	return nil
}

// evalTaskCount estimates a family's evaluation tasks without opening it:
// the reference test split's 100, the generated tasks' held-out share,
// AppWorld's dev split (57 tasks) or held-out variants (at most 1/3).
func (c SuiteConfig) evalTaskCount(family string) int {
	switch family {
	case AppWorldFamilyName:
		return 57
	case bfcl.SuiteName:
		return 100
	}
	return int(float64(c.Tasks.N)*c.Tasks.Heldout + 0.5)
}

// byteSize formats a byte count with binary units (KiB to TiB).
func byteSize(b int64) string {
	const unit = 1024
	if b < unit {
		return fmt.Sprintf("%d B", b)
	}
	v, exp := float64(b)/unit, 0
	for v >= unit && exp < 3 {
		v /= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", v, "KMGT"[exp])
}
