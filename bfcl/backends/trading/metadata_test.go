package trading

import (
	"testing"

	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/py"
)

// The metadata of a long-context order detail is ORDER_DETAIL_EXTENSION
// with the order's symbol put in. The texts are kept per constants and
// symbol; a process whose own copy of the extension was changed gets
// texts made from its copy, and the other processes keep the original.
func TestOrderMetadataFollowsTheProcessCopy(t *testing.T) {
	consts, err := backend.ParseConstants([]byte(`{"ORDER_DETAIL_EXTENSION": {"note": "{symbol} rose", "tip": "buy {symbol}, {symbol}!"}}`))
	if err != nil {
		t.Fatal(err)
	}
	build := func(proc *backend.Process) backend.Instance {
		c, err := backend.Lookup(ClassName)
		if err != nil {
			t.Fatal(err)
		}
		inst, err := c.Build(proc, sharedConfig(), true)
		if err != nil {
			t.Fatal(err)
		}
		return inst
	}
	metadata := func(proc *backend.Process) string {
		c, _ := backend.Lookup(ClassName)
		v, err := c.Call(build(proc), "get_order_details", []py.Value{py.Int(12345)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		m, _ := v.(*py.Dict).GetStr("metadata")
		return py.Repr(m)
	}
	const want = `{'note': 'AAPL rose', 'tip': 'buy AAPL, AAPL!'}`
	for i := 0; i < 2; i++ { // made, then kept
		if got := metadata(backend.NewProcess(consts)); got != want {
			t.Fatalf("metadata %s, want %s", got, want)
		}
	}
	changed := backend.NewProcess(consts)
	ext, err := changed.Constant("ORDER_DETAIL_EXTENSION")
	if err != nil {
		t.Fatal(err)
	}
	ext.(*py.Dict).SetStr("note", py.Str("{symbol} fell"))
	if got, want := metadata(changed), `{'note': 'AAPL fell', 'tip': 'buy AAPL, AAPL!'}`; got != want {
		t.Errorf("with the process's copy changed: metadata %s, want %s", got, want)
	}
	if got := metadata(backend.NewProcess(consts)); got != want {
		t.Errorf("another process after the change: metadata %s, want %s", got, want)
	}
}
