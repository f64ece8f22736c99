package native

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"unicode"

	"github.com/seeupo/seeupo/appworld/protocol"
	"github.com/seeupo/seeupo/appworld/world"
)

// This file holds the protocol beyond an episode's lifecycle: the
// initialize options the world offers, saving and loading states, logs,
// and the task and API documentation endpoints.

// supported refuses (protocol.ErrInvalid) the initialize options the
// native world does not offer. r has its defaults filled in. Accepted
// without effect: remote_docker, gc_threshold (the official server's
// process tuning), raise_on_unsafe_syntax and raise_on_unsafe_execution
// (the sandbox is always on), random_seed (no API draws random numbers;
// the clock is frozen at the task's date-time whatever allow_datetime_change
// says, as no API changes it) and ground_truth_mode.
func supported(r protocol.InitRequest) error {
	if err := validName(r.ExperimentName, true); err != nil {
		return err
	}
	if r.GroundTruthMode != "minimal" && r.GroundTruthMode != "full" {
		return fmt.Errorf("%w: ground_truth_mode %q (allowed: minimal, full)", protocol.ErrInvalid, r.GroundTruthMode)
	}
	if !isIdentifier(r.DirectFunctionSeparator) {
		return fmt.Errorf("%w: direct_function_separator %q must be a valid identifier", protocol.ErrInvalid, r.DirectFunctionSeparator)
	}
	for _, o := range []struct {
		name  string
		wrong bool
	}{
		{"remote_apis_url", r.RemoteAPIsURL != ""},
		{"remote_environment_url", r.RemoteEnvironmentURL != ""},
		{"remote_mcp_url", r.RemoteMCPURL != ""},
		{"raise_on_failure: false", !*r.RaiseOnFailure},
		{"show_api_response_schemas: false", !*r.ShowAPIResponseSchemas},
		{"include_direct_functions", *r.IncludeDirectFunctions},
		{"raise_on_extra_parameters: false", !*r.RaiseOnExtraParameters},
		{"import_utils", *r.ImportUtils},
		{"parse_datetimes", *r.ParseDatetimes},
		{"add_login_shortcut", *r.AddLoginShortcut},
		{"wrap_response", *r.WrapResponse},
		{"unwrap_response", *r.UnwrapResponse},
		{"munchify_response", *r.MunchifyResponse},
	} {
		if o.wrong {
			return fmt.Errorf("%w: the native world does not offer %s", protocol.ErrInvalid, o.name)
		}
	}
	return nil
}

func isIdentifier(s string) bool {
	for i, r := range s {
		if r != '_' && !unicode.IsLetter(r) && (i == 0 || !unicode.IsDigit(r)) {
			return false
		}
	}
	return s != ""
}

// ioEntry is one cell of an episode and its observation; Number is the
// interaction, with ".k" for the k-th cell of a batch.
type ioEntry struct {
	Number, Input, Output string
}

// apiCall is one API call of a cell, as logs/api_calls.jsonl lists it.
type apiCall struct {
	App       string          `json:"app_name"`
	API       string          `json:"api_name"`
	Arguments json.RawMessage `json:"arguments"`
	Status    int             `json:"status_code"`
}

// saveLogs writes the episode's logs: logs/environment_io.md (every cell
// and its observation) and logs/api_calls.jsonl. ep.mu is held.
func (s *Server) saveLogs(ep *episode) error {
	var io bytes.Buffer
	for _, e := range ep.io {
		fmt.Fprintf(&io, "\n### Environment Interaction %s\n\n```python\n%s\n```\n\n```\n%s\n```\n", e.Number, e.Input, e.Output)
	}
	var calls bytes.Buffer
	ep.callsMu.Lock()
	for _, c := range ep.calls {
		if !json.Valid(c.Arguments) {
			c.Arguments = json.RawMessage("{}")
		}
		b, _ := json.Marshal(c)
		calls.Write(append(b, '\n'))
	}
	ep.callsMu.Unlock()
	if err := s.outputs.write(ep.dir, "logs/environment_io.md", io.Bytes()); err != nil {
		return err
	}
	return s.outputs.write(ep.dir, "logs/api_calls.jsonl", calls.Bytes())
}

// Save saves the active world's state and logs.
func (s *Server) Save(ctx context.Context, taskID string) error {
	if _, err := s.SaveState(ctx, taskID, ""); err != nil {
		return err
	}
	return s.SaveLogs(ctx, taskID)
}

// SaveLogs writes the active world's logs.
func (s *Server) SaveLogs(_ context.Context, taskID string) error {
	ep, err := s.episode(taskID)
	if err != nil {
		return err
	}
	ep.mu.Lock()
	defer ep.mu.Unlock()
	return s.saveLogs(ep)
}

// SaveState saves the active world's state as checkpoint stateID, or as
// the task's output state when stateID is empty.
func (s *Server) SaveState(_ context.Context, taskID, stateID string) (string, error) {
	ep, err := s.episode(taskID)
	if err != nil {
		return "", err
	}
	sub := "dbs"
	if stateID != "" {
		if err := validName(stateID, false); err != nil {
			return "", err
		}
		sub = "checkpoints/" + stateID
	}
	ep.mu.Lock()
	defer ep.mu.Unlock()
	return stateID, s.outputs.saveState(ep.dir, sub, ep.world.Load())
}

// LoadState restores checkpoint stateID into the active world: its
// database and the supervisor's complete_task record. The interpreter's
// variables stay; logins (access tokens) do not, as they are not part of
// the state. The restored state becomes the task's output state.
func (s *Server) LoadState(ctx context.Context, taskID, stateID string) error {
	ep, err := s.episode(taskID)
	if err != nil {
		return err
	}
	if err := validName(stateID, false); err != nil {
		return err
	}
	store, done, err := s.outputs.loadState(ep.dir, "checkpoints/"+stateID)
	if err != nil {
		return err
	}
	w := world.New(store, ep.task.Supervisor.ID, world.BaseTime)
	if done != nil {
		args := map[string]any{"answer": done.Answer, "status": done.Status}
		if _, aerr := w.Call(ctx, "supervisor", "complete_task", args); aerr != nil {
			store.Close()
			return fmt.Errorf("restoring the task's completion: %s", aerr.Message)
		}
	}
	ep.mu.Lock()
	defer ep.mu.Unlock()
	old := ep.world.Swap(w)
	old.Store().Close()
	return s.outputs.saveState(ep.dir, "dbs", w)
}

// ShowTask describes a task of the catalogue.
func (s *Server) ShowTask(_ context.Context, taskID string) (protocol.InitResponse, error) {
	t, err := s.catalogue.Get(taskID)
	if err != nil {
		return protocol.InitResponse{}, fmt.Errorf("%w: %w", protocol.ErrNotFound, err)
	}
	return taskInfo(t), nil
}

// APIDocs is every app's API documentation, app → API → entry, with the
// response schemas as fenced JSON text, as the official server's
// /api_docs gives them.
func (s *Server) APIDocs(context.Context) (map[string]map[string]any, error) {
	out := map[string]map[string]any{}
	for _, app := range world.Apps() {
		out[app.Name] = map[string]any{}
		for _, api := range app.APIs {
			doc := api.Doc()
			schemas, _ := doc["response_schemas"].(map[string]any)
			text := map[string]any{}
			for k, v := range schemas {
				b, err := json.MarshalIndent(v, "", "  ")
				if err != nil {
					return nil, err
				}
				text[k] = "```json\n" + string(b) + "\n```"
			}
			doc["response_schemas"] = text
			out[app.Name][api.Name] = doc
		}
	}
	return out, nil
}
