package env

import (
	"context"
	"encoding/json"
	"fmt"
)

// Message is one message of a chat: Role is "system", "user", "assistant" or
// "tool".
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Task names one episode's task. Group is the scenario id: tasks of one
// group are variants of one scenario (AppWorld's SGC counts them together);
// for suites without scenarios it equals ID.
type Task struct {
	ID    string `json:"id"`
	Group string `json:"group"`
	Suite string `json:"suite"`
	Split string `json:"split"`
}

// StepResult is what the environment answers to one action.
type StepResult struct {
	// Messages are appended to the agent's context (tool outputs, the next
	// user turn). They may be empty.
	Messages []Message `json:"messages"`
	// Done is true when the episode is over and Evaluate may be called.
	Done bool `json:"done"`
	// Info carries suite-specific facts about the step (parse errors,
	// number of calls executed, ...); it must be JSON-encodable.
	Info map[string]any `json:"info,omitempty"`
}

// Evaluation is an episode's verdict.
type Evaluation struct {
	// Success is the suite's own notion of a solved task.
	Success bool `json:"success"`
	// Passed and Total count the state tests where the suite has them
	// (Total is 0 for suites with a single verdict).
	Passed int `json:"passed"`
	Total  int `json:"total"`
	// Details is the suite's full verdict (checker messages, test names).
	Details json.RawMessage `json:"details,omitempty"`
	// FailedTurn is the user turn (1-based) at which the suite first judged
	// a failed episode wrong, where it can tell; 0 otherwise.
	FailedTurn int `json:"failed_turn,omitempty"`
	// Level is the task's difficulty level where the suite has them
	// (AppWorld's 1 to 3); 0 otherwise. Evaluations report their figures
	// per level too.
	Level int `json:"level,omitempty"`
}

// Env is one episode's environment. Its lifecycle is
// Reset → Step* → Evaluate → Close, the same in-process, as a subprocess or
// behind the env-service protocol. Env values are not safe for concurrent
// use; a rollout owns its Env.
type Env interface {
	// Reset starts the episode for task and returns the opening messages
	// (system prompt with the tool descriptions, first user turn).
	Reset(ctx context.Context, task Task) ([]Message, error)
	// Step applies the agent's reply (its full text) and returns what
	// follows it.
	Step(ctx context.Context, action string) (StepResult, error)
	// Evaluate judges the episode as it stands.
	Evaluate(ctx context.Context) (Evaluation, error)
	// Close releases the episode's resources. It is safe to call twice.
	Close() error
}

// Suite is a benchmark: its tasks by split and a factory of environments.
// A Suite is safe for concurrent use.
type Suite interface {
	// Name is the name the suite is registered under.
	Name() string
	// Splits lists the split names Tasks accepts.
	Splits() []string
	// Tasks lists the tasks of a split in a fixed order; an unknown split
	// is an error naming the known ones.
	Tasks(split string) ([]Task, error)
	// NewEnv makes a fresh environment for one episode.
	NewEnv(ctx context.Context) (Env, error)
}

// Bounded is an optional capability of a Suite whose environments are a
// scarce resource, such as servers that hold one world each: Capacity is
// the most environments it can have open at once (0: no bound). The agent
// loop rolls out at most that many episodes at a time.
type Bounded interface {
	Capacity() int
}

// CapacityOf is a suite's Capacity, or 0 when it has no bound.
func CapacityOf(s Suite) int {
	if b, ok := s.(Bounded); ok {
		return max(b.Capacity(), 0)
	}
	return 0
}

// Demonstrator is an optional capability of a Suite that knows how its
// tasks are solved: the warm start fine-tunes on its demonstrations and
// `seeupo env eval` scripts episodes with them.
type Demonstrator interface {
	// Demonstration returns the replies that solve task, one per agent
	// turn, written as the agent would write them, so that Reset followed
	// by a Step of each reply ends in a successful Evaluate (unless
	// o.Cut).
	Demonstration(task Task, o DemoOptions) ([]string, error)
}

// DemoOptions are the callers' variations of a demonstration.
type DemoOptions struct {
	// Cut leaves out the task's last action (a call, a code cell), so
	// that the demonstration fails.
	Cut bool
	// Closing is the reply that ends a user turn in suites where the
	// agent ends its turn with a reply that acts on nothing (BFCL).
	Closing string
}

// DemonstrationOf is s's demonstration of task; a suite that is no
// Demonstrator is an error.
func DemonstrationOf(s Suite, task Task, o DemoOptions) ([]string, error) {
	d, ok := s.(Demonstrator)
	if !ok {
		return nil, fmt.Errorf("suite %s has no demonstrations of its tasks", s.Name())
	}
	return d.Demonstration(task, o)
}
