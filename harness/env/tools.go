package env

import "context"

// Tool is a function an agent may call. Parameters is a JSON Schema of
// type object (properties, required) describing the keyword arguments.
type Tool struct {
	Name        string         `json:"name"`
	Description string         `json:"description,omitempty"`
	Parameters  map[string]any `json:"parameters"`
}

// ToolCall is one function call of an agent's reply: Arguments is the
// text of a JSON object, as OpenAI-style tool calls carry it.
type ToolCall struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

// ToolStepResult is what a ToolEnv answers to one reply in
// function-calling mode.
type ToolStepResult struct {
	// Outputs answer the reply's calls one for one, in order: what each
	// call returned, or why it could not run.
	Outputs []string `json:"outputs"`
	// StepResult carries the messages that follow the outputs (the next
	// user turn), Done and Info, as Step does.
	StepResult
}

// ToolEnv is an optional capability of an Env whose agent may act by
// function calls — the tools offered in the request, the calls read from
// the answer — instead of text the environment parses. Its lifecycle is
// ResetTools → StepTools* → Evaluate → Close; an episode started with
// ResetTools is stepped with StepTools only.
type ToolEnv interface {
	Env
	// ResetTools starts the episode for task as Reset does, without
	// describing the functions in the opening messages: ToolSchemas does.
	ResetTools(ctx context.Context, task Task) ([]Message, error)
	// ToolSchemas lists the functions the agent may call at this point of
	// the episode; the list may grow from turn to turn (BFCL's miss_func
	// hands functions out at a later turn).
	ToolSchemas(ctx context.Context) ([]Tool, error)
	// StepTools applies one reply: content is its text, calls its function
	// calls. The calls run in order and Outputs answers each; a reply
	// without calls is the agent's answer to the current user turn.
	StepTools(ctx context.Context, content string, calls []ToolCall) (ToolStepResult, error)
}
