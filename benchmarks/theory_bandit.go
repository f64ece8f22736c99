package benchmarks

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"

	"github.com/seeupo/seeupo/algorithms"
	"github.com/seeupo/seeupo/policy"
	"github.com/seeupo/seeupo/policy/tabular"
)

// Token ids of the theory bandits. Actions are 0..K-1 (the only tokens a
// policy emits); the task and the observations are context tokens.
const (
	banditTaskToken = 1000
	banditObsToken  = 2000
)

// Bandit is a sequentially executed multi-turn bandit: each task runs at
// most T turns, the agent picks one of K actions per turn (spelled by one
// or several tokens), sees an observation that depends on the actions so
// far, and gets one terminal reward from a table indexed by the whole
// action sequence. Some families end an episode early after certain
// actions, so episodes of one batch may have different numbers of turns.
// Dynamics are deterministic, so the optimum J* is the mean over tasks of
// the best terminal sequence's reward and is reached by a deterministic
// per-history policy.
type Bandit struct {
	Family  string
	Turns   int // the most turns an episode can have
	Actions int
	Tasks   int
	// Spelling[a] is the token sequence that says action a (one token a
	// unless a multi-token spelling was chosen).
	Spelling [][]int
	seqs     [][]int        // terminal action sequences, depth first
	index    map[string]int // tabular.Key(sequence) → position in seqs
	reward   [][]float64    // reward[task][i] of seqs[i]
	obs      func(task int, actions []int) int
	ends     func(actions []int) bool // nil: every episode runs T turns
}

// Family builds bandits of one kind.
type Family struct {
	Name string
	Doc  string
	Make func(rng *rand.Rand, turns, actions, tasks int) *Bandit
}

// Families lists the bandit families of the theory suite.
func Families() []Family {
	return []Family{
		{"additive", "reward is the mean of independent per-turn payoffs; greedy per-turn updates are optimal", newAdditiveBandit},
		{"exit", "action 0 ends the episode at once and pays 0.5; the task's key sequence (no 0 in it) played to the last turn pays 1, any other full sequence 0; episodes have 1..T turns", newExitBandit},
		{"lock", "combination lock with credit for the matched prefix; observation says whether the prefix still matches", newLockBandit},
		{"trap", "greedy trap: first action 0 pays 0.6 whatever follows; the key sequence pays 1, any other sequence 0, so under a uniform policy the optimal first action looks worst", newTrapBandit},
		{"random", "independent uniform reward for every action sequence", newRandomBandit},
	}
}

// FamilyByName finds a family; an unknown name lists the known ones.
func FamilyByName(name string) (Family, error) {
	var names []string
	for _, f := range Families() {
		if f.Name == name {
			return f, nil
		}
		names = append(names, f.Name)
	}
	return Family{}, fmt.Errorf("unknown bandit family %q (known: %s)", name, strings.Join(names, ", "))
}

// newBanditTable enumerates the terminal sequences (length T, or shorter
// where ends says so) and tabulates their rewards; actions are spelled
// with one token each.
func newBanditTable(family string, turns, actions, tasks int, obs func(int, []int) int, ends func([]int) bool,
	reward func(task int, a []int) float64) *Bandit {
	b := &Bandit{Family: family, Turns: turns, Actions: actions, Tasks: tasks, obs: obs, ends: ends, index: map[string]int{}}
	b.Spelling, _ = Spelling("token", actions)
	b.walk(nil, func(a []int, terminal bool) {
		if terminal {
			b.index[tabular.Key(a)] = len(b.seqs)
			b.seqs = append(b.seqs, a)
		}
	})
	b.reward = make([][]float64, tasks)
	for task := range b.reward {
		b.reward[task] = make([]float64, len(b.seqs))
		for i, a := range b.seqs {
			b.reward[task][i] = reward(task, a)
		}
	}
	return b
}

// terminal says whether the episode is over after the actions a.
func (b *Bandit) terminal(a []int) bool {
	return len(a) == b.Turns || (len(a) > 0 && b.ends != nil && b.ends(a))
}

// walk visits every action prefix depth first: the decision points
// (terminal false) and the terminal sequences. visit gets its own copy.
func (b *Bandit) walk(prefix []int, visit func(a []int, terminal bool)) {
	if b.terminal(prefix) {
		visit(append([]int(nil), prefix...), true)
		return
	}
	visit(append([]int(nil), prefix...), false)
	for a := range b.Actions {
		b.walk(append(prefix[:len(prefix):len(prefix)], a), visit)
	}
}

// Spelling returns the token sequence of each of k actions: "token" spells
// action a as the single token a; "unary" spells it over the two tokens
// {0, 1} as a ones then a 0 (the last action: k−1 ones), a complete
// prefix code with words of 1..k−1 tokens, so that a policy choosing
// tokens one at a time chooses among the k actions, and words differ in
// length.
func Spelling(name string, k int) ([][]int, error) {
	out := make([][]int, k)
	for a := range out {
		switch name {
		case "token":
			out[a] = []int{a}
		case "unary":
			for range a {
				out[a] = append(out[a], 1)
			}
			if a < k-1 {
				out[a] = append(out[a], 0)
			}
		default:
			return nil, fmt.Errorf("theory: spelling %q unknown (known: token, unary)", name)
		}
	}
	return out, nil
}

// Vocab is the number of distinct response tokens the spelling uses.
func (b *Bandit) Vocab() int {
	n := 0
	for _, w := range b.Spelling {
		for _, tok := range w {
			n = max(n, tok+1)
		}
	}
	return n
}

func newAdditiveBandit(rng *rand.Rand, T, K, tasks int) *Bandit {
	w := banditRandomTable(rng, tasks, T*K)
	return newBanditTable("additive", T, K, tasks,
		func(_ int, a []int) int { return a[len(a)-1] % 2 }, nil,
		func(task int, a []int) float64 {
			var s float64
			for t, x := range a {
				s += w[task][t*K+x]
			}
			return s / float64(T)
		})
}

func newLockBandit(rng *rand.Rand, T, K, tasks int) *Bandit {
	key := banditRandomKeys(rng, tasks, T, K, 0)
	return newBanditTable("lock", T, K, tasks,
		func(task int, a []int) int { return banditBool(banditMatched(a, key[task]) == len(a)) }, nil,
		func(task int, a []int) float64 { return float64(banditMatched(a, key[task])) / float64(T) })
}

func newTrapBandit(rng *rand.Rand, T, K, tasks int) *Bandit {
	key := banditRandomKeys(rng, tasks, T, K, 1)
	return newBanditTable("trap", T, K, tasks,
		func(task int, a []int) int { return banditMatched(a, key[task]) }, nil,
		func(task int, a []int) float64 {
			switch {
			case a[0] == 0:
				return 0.6
			case banditMatched(a, key[task]) == T:
				return 1
			}
			return 0
		})
}

func newRandomBandit(rng *rand.Rand, T, K, tasks int) *Bandit {
	table := banditRandomTable(rng, tasks, banditPow(K, T))
	return newBanditTable("random", T, K, tasks,
		func(_ int, a []int) int {
			s := 0
			for _, x := range a {
				s += x
			}
			return s % 2
		}, nil,
		func(task int, a []int) float64 { return table[task][banditEncode(a, K)] })
}

// newExitBandit: action 0 ends the episode and pays 0.5; keys avoid 0.
func newExitBandit(rng *rand.Rand, T, K, tasks int) *Bandit {
	key := make([][]int, tasks)
	for i := range key {
		key[i] = make([]int, T)
		for t := range key[i] {
			key[i][t] = 1 + rng.IntN(K-1)
		}
	}
	return newBanditTable("exit", T, K, tasks,
		func(task int, a []int) int { return banditMatched(a, key[task]) },
		func(a []int) bool { return a[len(a)-1] == 0 },
		func(task int, a []int) float64 {
			switch {
			case a[len(a)-1] == 0:
				return 0.5
			case banditMatched(a, key[task]) == T:
				return 1
			}
			return 0
		})
}

func banditRandomTable(rng *rand.Rand, rows, cols int) [][]float64 {
	out := make([][]float64, rows)
	for i := range out {
		out[i] = make([]float64, cols)
		for j := range out[i] {
			out[i][j] = rng.Float64()
		}
	}
	return out
}

// banditRandomKeys draws one key sequence per task; the first action is at
// least firstMin.
func banditRandomKeys(rng *rand.Rand, tasks, T, K, firstMin int) [][]int {
	out := make([][]int, tasks)
	for i := range out {
		out[i] = make([]int, T)
		for t := range out[i] {
			out[i][t] = rng.IntN(K)
		}
		out[i][0] = firstMin + rng.IntN(K-firstMin)
	}
	return out
}

func banditMatched(a, key []int) int {
	n := 0
	for n < len(a) && a[n] == key[n] {
		n++
	}
	return n
}

func banditBool(b bool) int {
	if b {
		return 1
	}
	return 0
}

func banditPow(b, e int) int {
	n := 1
	for range e {
		n *= b
	}
	return n
}

// banditEncode numbers an action sequence: Σ_t a_t·K^(T−1−t).
func banditEncode(a []int, k int) int {
	code := 0
	for _, x := range a {
		code = code*k + x
	}
	return code
}

// Reward of a terminal action sequence (NaN for a sequence that is not
// terminal).
func (b *Bandit) Reward(task int, actions []int) float64 {
	i, ok := b.index[tabular.Key(actions)]
	if !ok {
		return math.NaN()
	}
	return b.reward[task][i]
}

// Context is the history the agent sees before its next action: the task
// token, then each earlier action's tokens and the observation that
// followed it.
func (b *Bandit) Context(task int, actions []int) []int {
	ctx := []int{banditTaskToken + task}
	for t := range actions {
		ctx = append(ctx, b.Spelling[actions[t]]...)
		ctx = append(ctx, banditObsToken+b.obs(task, actions[:t+1]))
	}
	return ctx
}

// Optimum is J*: the mean over tasks of the best sequence's reward.
func (b *Bandit) Optimum() float64 {
	var s float64
	for _, row := range b.reward {
		best := math.Inf(-1)
		for _, r := range row {
			best = math.Max(best, r)
		}
		s += best
	}
	return s / float64(b.Tasks)
}

// Tree holds the policy's next-action distribution at every decision
// point of the bandit, keyed by task and action prefix.
type Tree map[string]TreeNode

// TreeNode is the policy at one history: the probability of each action
// and the log-probs of the tokens that spell it.
type TreeNode struct {
	Probs         []float64
	TokenLogProbs [][]float64
}

func banditTreeKey(task int, prefix []int) string {
	return strconv.Itoa(task) + "/" + tabular.Key(prefix)
}

// Tree scores every action after every decision point with s, in one
// batch; an action's probability is the product of its tokens'.
func (b *Bandit) Tree(s policy.Scorer) (Tree, error) {
	var batch []policy.Sample
	var keys []string
	for task := range b.Tasks {
		b.walk(nil, func(prefix []int, terminal bool) {
			if terminal {
				return
			}
			ctx := b.Context(task, prefix)
			for a := range b.Actions {
				batch = append(batch, policy.Sample{Context: ctx, Response: b.Spelling[a]})
			}
			keys = append(keys, banditTreeKey(task, prefix))
		})
	}
	sc, err := s.Score(batch, false)
	if err != nil {
		return nil, err
	}
	tree := Tree{}
	for n, k := range keys {
		node := TreeNode{Probs: make([]float64, b.Actions), TokenLogProbs: sc.LogProbs[n*b.Actions : (n+1)*b.Actions]}
		for a, lp := range node.TokenLogProbs {
			var sum float64
			for _, x := range lp {
				sum += x
			}
			node.Probs[a] = math.Exp(sum)
		}
		tree[k] = node
	}
	return tree, nil
}

// prob is π(a) of a whole action sequence for one task.
func (b *Bandit) prob(tree Tree, task int, a []int) float64 {
	p := 1.0
	for t := range a {
		p *= tree[banditTreeKey(task, a[:t])].Probs[a[t]]
	}
	return p
}

// J is the exact expected reward Σ_τ π(τ) R(τ), averaged over tasks, by
// enumerating every terminal sequence.
func (b *Bandit) J(tree Tree) float64 {
	var total float64
	for task := range b.Tasks {
		for i, a := range b.seqs {
			total += b.prob(tree, task, a) * b.reward[task][i]
		}
	}
	return total / float64(b.Tasks)
}

// Lengths is the distribution of the number of turns of an episode under
// the policy, averaged over tasks: Lengths[l] = P(l turns), l = 0..T.
func (b *Bandit) Lengths(tree Tree) []float64 {
	out := make([]float64, b.Turns+1)
	for task := range b.Tasks {
		for _, a := range b.seqs {
			out[len(a)] += b.prob(tree, task, a) / float64(b.Tasks)
		}
	}
	return out
}

// turn is the Turn for action a after the actions before it.
func (b *Bandit) turn(tree Tree, task int, before []int, a int) algorithms.Turn {
	lp := tree[banditTreeKey(task, before)].TokenLogProbs[a]
	return algorithms.Turn{Context: b.Context(task, before), Response: b.Spelling[a], SamplerLogProbs: append([]float64(nil), lp...)}
}

// Rollouts samples g trajectories per task from the policy's tree: one
// group per task, one turn per action until the episode ends, the
// terminal reward on every turn.
func (b *Bandit) Rollouts(tree Tree, g int, rng *rand.Rand) *algorithms.Batch {
	batch := &algorithms.Batch{}
	for task := range b.Tasks {
		for i := range g {
			var actions []int
			var turns []algorithms.Turn
			for !b.terminal(actions) {
				a := banditSample(tree[banditTreeKey(task, actions)].Probs, rng.Float64())
				turns = append(turns, b.turn(tree, task, actions, a))
				actions = append(actions, a)
			}
			batch.Trajectories = append(batch.Trajectories, algorithms.Trajectory{
				ID: fmt.Sprintf("t%d-r%d", task, i), Group: fmt.Sprintf("t%d", task),
				Turns: turns, Reward: b.Reward(task, actions)})
		}
	}
	return batch
}

// StratifiedRollouts is the deterministic counterpart of Rollouts: each
// task's group holds every terminal sequence τ round(π(τ)·g) times
// (largest remainder, so the group has exactly g members). Group means
// and the batch's gradient are then the exact expectations up to a
// rounding of 1/g; no randomness enters.
func (b *Bandit) StratifiedRollouts(tree Tree, g int) *algorithms.Batch {
	batch := &algorithms.Batch{}
	for task := range b.Tasks {
		probs := make([]float64, len(b.seqs))
		for i, a := range b.seqs {
			probs[i] = b.prob(tree, task, a)
		}
		for i, count := range banditLargestRemainder(probs, g) {
			a := b.seqs[i]
			for n := range count {
				var turns []algorithms.Turn
				for t := range a {
					turns = append(turns, b.turn(tree, task, a[:t], a[t]))
				}
				batch.Trajectories = append(batch.Trajectories, algorithms.Trajectory{
					ID: fmt.Sprintf("t%d-s%d-%d", task, i, n), Group: fmt.Sprintf("t%d", task),
					Turns: turns, Reward: b.reward[task][i]})
			}
		}
	}
	return batch
}

// banditLargestRemainder splits g into integer counts proportional to p (which
// sums to 1): floors first, then one more to the largest remainders.
func banditLargestRemainder(p []float64, g int) []int {
	counts := make([]int, len(p))
	type rem struct {
		i int
		r float64
	}
	rems := make([]rem, len(p))
	left := g
	for i, x := range p {
		exact := x * float64(g)
		counts[i] = int(math.Floor(exact))
		left -= counts[i]
		rems[i] = rem{i, exact - float64(counts[i])}
	}
	sort.SliceStable(rems, func(a, b int) bool { return rems[a].r > rems[b].r })
	for k := 0; k < left && k < len(rems); k++ {
		counts[rems[k].i]++
	}
	return counts
}

func banditSample(p []float64, u float64) int {
	for i, x := range p {
		if u < x {
			return i
		}
		u -= x
	}
	return len(p) - 1
}

// theoryFamilyNames lists the known family names, sorted.
func theoryFamilyNames() []string {
	var out []string
	for _, f := range Families() {
		out = append(out, f.Name)
	}
	sort.Strings(out)
	return out
}
