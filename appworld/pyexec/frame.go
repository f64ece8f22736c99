package pyexec

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
)

// The channel between the server and an interpreter carries frames: a
// 4-byte big-endian length followed by that many bytes of JSON. A frame
// longer than the reader's cap is refused before any of it is buffered, so
// a cell that floods the channel costs the server at most one capped frame.

// frame is one message of either direction.
type frame struct {
	Type string `json:"type"`
	// Seq and Token tie a call or a result to the cell that sent it.
	Seq   uint64 `json:"seq,omitempty"`
	Token string `json:"token,omitempty"`
	// Commands (server → interpreter).
	Code   string          `json:"code,omitempty"`
	Config json.RawMessage `json:"config,omitempty"`
	// Results (interpreter → server).
	Status  string `json:"status,omitempty"`
	Output  string `json:"output,omitempty"`
	Failure string `json:"failure,omitempty"`
	Message string `json:"message,omitempty"`
	// API calls (interpreter → server) and their answers.
	App        string          `json:"app,omitempty"`
	API        string          `json:"api,omitempty"`
	Args       json.RawMessage `json:"args,omitempty"`
	HTTPStatus int             `json:"http_status,omitempty"`
	Body       string          `json:"body,omitempty"`
}

// errChannel marks a frame the server refuses: oversize, malformed or out
// of turn. The interpreter that sent it is replaced.
type errChannel struct{ reason string }

func (e errChannel) Error() string { return "result channel: " + e.reason }

// writeFrame sends v as one frame.
func writeFrame(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	buf := make([]byte, 4+len(b))
	binary.BigEndian.PutUint32(buf, uint32(len(b)))
	copy(buf[4:], b)
	_, err = w.Write(buf)
	return err
}

// readFrame reads one frame of at most limit bytes.
func readFrame(r io.Reader, limit int) (frame, error) {
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return frame{}, err
	}
	n := binary.BigEndian.Uint32(head[:])
	if int64(n) > int64(limit) {
		return frame{}, errChannel{fmt.Sprintf("a frame of %d bytes exceeds the cap of %d", n, limit)}
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return frame{}, err
	}
	var f frame
	if err := json.Unmarshal(body, &f); err != nil || f.Type == "" {
		return frame{}, errChannel{fmt.Sprintf("a malformed frame (%.60q)", body)}
	}
	return f, nil
}
