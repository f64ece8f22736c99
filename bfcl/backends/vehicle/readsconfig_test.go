package vehicle_test

import (
	"testing"

	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/backends/vehicle"
	"github.com/seeupo/seeupo/bfcl/py"
)

// The vehicle backend is built from initial_config itself (ReadsConfig)
// and keeps copies of its values, so changes through one instance (by its
// methods, or by a caller to a dict a method handed out) never reach the
// config nor another instance built from it.
func TestInstancesDoNotChangeTheSharedConfig(t *testing.T) {
	cfg, err := py.FromJSON([]byte(`{"VehicleControlAPI": {"fuelLevel": 10.5, "batteryVoltage": 12.8,
		"engineState": "stopped", "doorStatus": {"driver": "unlocked", "passenger": "locked",
		"rear_left": "unlocked", "rear_right": "locked"}, "acTemperature": [25.0],
		"headLightStatus": "off", "brakePedalStatus": "pressed", "brakePedalForce": 1000.0,
		"destination": {"city": "x"}, "random_seed": 7}}`))
	if err != nil {
		t.Fatal(err)
	}
	config := cfg.(*py.Dict)
	before := py.EncodeState(config)
	c, err := backend.Lookup(vehicle.ClassName)
	if err != nil {
		t.Fatal(err)
	}
	build := func() backend.Instance {
		inst, err := c.Build(backend.NewProcess(nil), config, false)
		if err != nil {
			t.Fatal(err)
		}
		return inst
	}
	call := func(inst backend.Instance, name string, args ...py.Value) py.Value {
		t.Helper()
		v, err := c.Call(inst, name, args, nil)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return v
	}
	fresh := backend.EncodeState(build())
	inst := build()
	edits := []struct {
		name string
		do   func()
	}{
		{"lockDoors", func() { call(inst, "lockDoors", py.Bool(false), py.StrList("driver", "rear_left")) }},
		{"startEngine", func() { call(inst, "startEngine", py.Str("START")) }},
		{"fillFuelTank", func() { call(inst, "fillFuelTank", py.Float(5)) }},
		{"displayCarStatus", func() {
			d := call(inst, "displayCarStatus", py.Str("doors")).(*py.Dict)
			doors, _ := d.GetStr("doorStatus")
			if err := py.SetItem(doors, py.Str("driver"), py.Str("gone")); err != nil {
				t.Fatal(err)
			}
		}},
		{"state", func() {
			for _, a := range inst.State() {
				switch a.Name {
				case "acTemperature":
					if err := py.ListAppend(a.Value, py.Int(1)); err != nil {
						t.Fatal(err)
					}
				case "destination":
					if err := py.SetItem(a.Value, py.Str("city"), py.Str("y")); err != nil {
						t.Fatal(err)
					}
				}
			}
		}},
	}
	for _, e := range edits {
		e.do()
		if got := py.EncodeState(config); got != before {
			t.Errorf("%s: the config changed:\n%s\nwant\n%s", e.name, got, before)
		}
		if got := backend.EncodeState(build()); got != fresh {
			t.Errorf("%s: a later instance starts from\n%s\nwant\n%s", e.name, got, fresh)
		}
	}
}
