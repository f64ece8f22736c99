package vehicle_test

import (
	"testing"

	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/backends/configtest"
	"github.com/seeupo/seeupo/bfcl/backends/vehicle"
	"github.com/seeupo/seeupo/bfcl/py"
)

// The vehicle backend is built from initial_config itself (ReadsConfig)
// and keeps copies of its values, so changes through one instance (by its
// methods, or by a caller to a dict a method handed out) never reach the
// config nor another instance built from it.
func TestInstancesDoNotChangeTheSharedConfig(t *testing.T) {
	h := configtest.New(t, vehicle.ClassName, configtest.FromJSON(t, `{"VehicleControlAPI": {"fuelLevel": 10.5,
		"batteryVoltage": 12.8, "engineState": "stopped", "doorStatus": {"driver": "unlocked",
		"passenger": "locked", "rear_left": "unlocked", "rear_right": "locked"}, "acTemperature": [25.0],
		"headLightStatus": "off", "brakePedalStatus": "pressed", "brakePedalForce": 1000.0,
		"destination": {"city": "x"}, "random_seed": 7}}`))
	h.CheckEdits(func(inst backend.Instance) []configtest.Edit {
		return []configtest.Edit{
			{Name: "lockDoors", Do: func() { h.Call(inst, "lockDoors", py.Bool(false), py.StrList("driver", "rear_left")) }},
			{Name: "startEngine", Do: func() { h.Call(inst, "startEngine", py.Str("START")) }},
			{Name: "fillFuelTank", Do: func() { h.Call(inst, "fillFuelTank", py.Float(5)) }},
			{Name: "displayCarStatus", Do: func() {
				d := h.Call(inst, "displayCarStatus", py.Str("doors")).(*py.Dict)
				doors, _ := d.GetStr("doorStatus")
				if err := py.SetItem(doors, py.Str("driver"), py.Str("gone")); err != nil {
					t.Fatal(err)
				}
			}},
			{Name: "state", Do: func() {
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
	})
}
