package benchmarks

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/seeupo/seeupo/bfcl"
	"github.com/seeupo/seeupo/harness"
	"github.com/seeupo/seeupo/harness/env"
	"github.com/seeupo/seeupo/policy/transformer"
)

// fakeCheckpoint writes a config.json of a small Qwen3 model.
func fakeCheckpoint(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	cfg := transformer.Config{ModelType: transformer.ModelQwen3, HiddenSize: 64, NumHiddenLayers: 2, NumAttentionHeads: 4,
		NumKeyValueHeads: 2, HeadDim: 32, IntermediateSize: 160, VocabSize: 1088, MaxPositionEmbeddings: 32768,
		RopeTheta: 1e6, RMSNormEps: 1e-6, TieWordEmbeddings: true}
	if err := cfg.Save(filepath.Join(dir, transformer.ConfigFile)); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestPaperWithCheckpoint: the paper preset given a checkpoint trains on
// the BFCL reference split with the reference release's lengths,
// validation sampling and learning rates (values from its launchers and
// verl's val_kwargs, docs/checkpoints.md), the AppWorld family with its own
// lengths, the model from the checkpoint, and no warm start.
func TestPaperWithCheckpoint(t *testing.T) {
	ckpt := fakeCheckpoint(t)
	c, err := LoadSuite("paper")
	if err != nil {
		t.Fatal(err)
	}
	plain := c
	c, err = c.WithCheckpoint(ckpt, "auto")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.FamilyNames(); len(got) != 2 || got[0] != bfcl.SuiteName || got[1] != AppWorldFamilyName {
		t.Errorf("families %v, want bfcl, appworld", got)
	}
	if got := plain.FamilyNames(); got[0] != bfcl.GeneratedSuiteName {
		t.Errorf("without a checkpoint the first family is %s, want %s", got[0], bfcl.GeneratedSuiteName)
	}
	for _, tc := range []struct {
		name      string
		got, want float64
	}{
		{"rl.max_context", float64(c.RL.MaxContext), 18000},
		{"rl.max_tokens_per_turn", float64(c.RL.MaxTokensPerTurn), 3994},
		{"rl.eval_temperature", c.RL.EvalTemperature, 0},
		{"rl.eval_samples", float64(c.RL.EvalSamples), 4},
		{"rl.temperature", c.RL.Temperature, 0.9},
		{"rl.lr", c.RL.LR, 1e-6},
		{"rl.critic_lr", *c.RL.CriticLR, 1e-5},
		{"rl.tasks_per_step (the preset's)", float64(c.RL.TasksPerStep), 32},
		{"rl.group_size (the preset's)", float64(c.RL.GroupSize), 8},
		{"rl.max_turns (the preset's)", float64(c.RL.MaxTurns), 10},
		{"appworld rl.max_context", float64(c.AppWorld.RL.MaxContext), 16000},
		{"appworld rl.max_tokens_per_turn", float64(c.AppWorld.RL.MaxTokensPerTurn), 2994},
		{"appworld rl.eval_temperature", c.AppWorld.RL.EvalTemperature, 0},
	} {
		if tc.got != tc.want {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
	if c.warmStartOn() || c.appWorldConfig().warmStartOn() {
		t.Errorf("a checkpoint's warm start is on with mode auto")
	}
	if on, _ := c.WithCheckpoint(ckpt, "on"); !on.warmStartOn() {
		t.Errorf("model.warm_start on leaves the warm start off")
	}
	cfg, err := c.modelConfig()
	if err != nil || cfg.VocabSize != 1088 || cfg.HeadDim != 32 {
		t.Errorf("model config %+v, %v: want the checkpoint's", cfg, err)
	}
	if cfg, err := c.appWorldConfig().modelConfig(); err != nil || cfg.VocabSize != 1088 {
		t.Errorf("appworld model config %+v, %v: want the checkpoint's", cfg, err)
	}
	// The quick preset has no pretrained section: its tasks stay generated.
	q, err := LoadSuite("quick")
	if err != nil {
		t.Fatal(err)
	}
	if q, err = q.WithCheckpoint(ckpt, ""); err != nil || q.FamilyNames()[0] != bfcl.GeneratedSuiteName {
		t.Errorf("quick with a checkpoint: %v %v", q.FamilyNames(), err)
	}
	for _, bad := range []struct{ dir, mode, want string }{
		{ckpt, "sometimes", "warm_start.mode"},
		{t.TempDir(), "", "config.json"},
	} {
		if _, err := c.WithCheckpoint(bad.dir, bad.mode); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("WithCheckpoint(%s, %q): error %v, want one naming %s", bad.dir, bad.mode, err, bad.want)
		}
	}
}

// TestSuiteSet: assignments win over the suite's layers and reach the
// AppWorld family for its shared settings; errors name the assignment.
func TestSuiteSet(t *testing.T) {
	c, err := LoadSuite("quick")
	if err != nil {
		t.Fatal(err)
	}
	c, err = c.Set([]string{"rl.steps=3", "algorithms=[grpo]", "seeds=[4]", "appworld.enabled=true", "rl.eval_temperature=0"})
	if err != nil {
		t.Fatal(err)
	}
	if c.RL.Steps != 3 || c.AppWorld.RL.Steps != 3 || len(c.Algorithms) != 1 || c.Algorithms[0] != "grpo" ||
		c.Seeds[0] != 4 || c.AppWorld.Seeds[0] != 4 || !c.AppWorld.Enabled || c.RL.EvalTemperature != 0 {
		t.Errorf("after --set: rl %+v, appworld rl steps %d, algorithms %v, seeds %v/%v, appworld %v",
			c.RL, c.AppWorld.RL.Steps, c.Algorithms, c.Seeds, c.AppWorld.Seeds, c.AppWorld.Enabled)
	}
	for _, tc := range []struct{ set, want string }{
		{"rl.stepz=3", "rl.stepz"},
		{"rl.steps=many", "rl.steps"},
		{"rl.group_size=0", "rl.group_size is 0"},
		{"steps", "want key=value"},
	} {
		if _, err := c.Set([]string{tc.set}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("--set %s: error %v, want one saying %q", tc.set, err, tc.want)
		}
	}
}

// TestMemoryPlanRefuses: the estimate's parts follow the suite's batch
// and context (a KV cache of tasks_per_step × group_size or eval_tasks ×
// eval_samples sequences of rl.max_context tokens, none with remote
// generation), and a run that will not fit the memory available is
// refused naming the settings to lower.
func TestMemoryPlanRefuses(t *testing.T) {
	saved := hostMemory
	defer func() { hostMemory = saved }()
	c, err := LoadSuite("paper")
	if err != nil {
		t.Fatal(err)
	}
	if c, err = c.WithCheckpoint(fakeCheckpoint(t), ""); err != nil {
		t.Fatal(err)
	}
	hostMemory = func() uint64 { return 1 << 40 }
	plan, err := c.MemoryPlan(false)
	if err != nil {
		t.Fatal(err)
	}
	m := plan[0]
	// 100 evaluation tasks × 4 samples > 32 × 8; 2 layers × 2 KV heads ×
	// 32 × (keys, values) × 4 bytes = 1 KiB a token.
	if m.Workload.Sequences != 400 || m.Workload.Context != 18000 || m.Memory.KVCache != 400*18000*1024 {
		t.Errorf("bfcl workload %+v, KV cache %d", m.Workload, m.Memory.KVCache)
	}
	if remote, _ := c.MemoryPlan(true); remote[0].Memory.KVCache != 0 {
		t.Errorf("remote generation: KV cache %d, want 0", remote[0].Memory.KVCache)
	}
	if !m.Fits() || !strings.Contains(m.String(), "KV cache 6.9 GiB (400 sequences × 18000 tokens)") {
		t.Errorf("line %q (fits %v)", m.String(), m.Fits())
	}
	hostMemory = func() uint64 { return 1 << 30 }
	f := &family{name: bfcl.SuiteName, cfg: c, test: make([]env.Task, 100)}
	err = checkPlan(f, RunOptions{})
	if err == nil || !strings.Contains(err.Error(), "more than the 1.0 GiB of memory available") ||
		!strings.Contains(err.Error(), "rl.max_context") {
		t.Errorf("checkPlan with 1 GiB: %v", err)
	}
	// Without the 6.9 GiB KV cache the run fits in 1 GiB.
	if err := checkPlan(f, RunOptions{Servers: &harness.ServerOptions{}}); err != nil {
		t.Errorf("checkPlan with 1 GiB and remote generation: %v", err)
	}
}
