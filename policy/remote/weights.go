package remote

import (
	"context"
	"errors"
	"fmt"
)

// Weights are what a server says of the weights it loaded.
type Weights struct {
	Version int `json:"weights_version"`
	// Fingerprint is the system_fingerprint of the answers these weights
	// generate (seeupo serve; "" when the server gives none).
	Fingerprint string `json:"system_fingerprint"`
}

// LoadWeights asks the server to generate from now on with the weights of
// a model directory (config.json, model.safetensors, tokenizer.json) that
// the server can read at that path: POST /v1/load_weights {"path": dir},
// seeupo serve's endpoint. The request is retried like any other but
// stays out of the usage.
func (c *Client) LoadWeights(ctx context.Context, dir string) (Weights, error) {
	var res Weights
	ctx = context.WithValue(ctx, uncounted{}, true)
	if err := c.sdk.Post(ctx, "load_weights", map[string]string{"path": dir}, &res); err != nil {
		return Weights{}, describe("/v1/load_weights", err)
	}
	return res, nil
}

// ServedModels lists the models a server serves (GET /v1/models); o.Model
// is not needed.
func ServedModels(ctx context.Context, o Options) ([]string, error) {
	if o.BaseURL == "" {
		return nil, errors.New("remote policy: no base URL (e.g. http://127.0.0.1:8100/v1)")
	}
	c := newClient(o)
	ctx = context.WithValue(ctx, uncounted{}, true)
	page, err := c.sdk.Models.List(ctx)
	if err != nil {
		return nil, describe("/v1/models", err)
	}
	names := make([]string, len(page.Data))
	for i, m := range page.Data {
		names[i] = m.ID
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s/models lists no model", o.BaseURL)
	}
	return names, nil
}
