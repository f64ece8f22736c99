package vehicle

import (
	"testing"

	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/py"
)

// loadByProbe is LoadScenario written as one look-up per attribute, the
// reference the one-pass loadConfig must equal.
func loadByProbe(v *Vehicle, cfg *py.Dict) {
	get := func(key string, def py.Value) py.Value {
		if x, ok := cfg.GetStr(key); ok {
			return x
		}
		return def
	}
	v.fuelLevel = get("fuelLevel", py.Float(0.0))
	v.batteryVoltage = get("batteryVoltage", py.Float(12.6))
	v.engineState = get("engineState", py.Str("stopped"))
	v.doorStatus = get("doorStatus", defaultDoors())
	v.remainingUnlockedDoors = py.Int(4)
	v.acTemperature = get("acTemperature", py.Float(25.0))
	v.fanSpeed = get("fanSpeed", py.Int(50))
	v.acMode = get("acMode", py.Str("auto"))
	v.humidityLevel = get("humidityLevel", py.Float(50.0))
	v.headLightStatus = get("headLightStatus", py.Str("off"))
	v.parkingBrakeStatus = get("parkingBrakeStatus", py.Str("released"))
	v.parkingBrakeForce = get("parkingBrakeForce", py.Float(0.0))
	v.slopeAngle = get("slopeAngle", py.Float(0.0))
	v.brakePedalStatus = get("brakePedalStatus", py.Str("released"))
	v.brakePedalForce = get("brakePedalForce", py.Float(0.0))
	v.distanceToNextVehicle = get("distanceToNextVehicle", py.Float(50.0))
	v.cruiseStatus = get("cruiseStatus", py.Str("inactive"))
	v.destination = get("destination", py.Str("None"))
	v.frontLeftTire = get("frontLeftTirePressure", py.Float(32.0))
	v.frontRightTire = get("frontRightTirePressure", py.Float(32.0))
	v.rearLeftTire = get("rearLeftTirePressure", py.Float(30.0))
	v.rearRightTire = get("rearRightTirePressure", py.Float(30.0))
}

// loadConfig sets every attribute (and the seed) as one look-up per key
// does, for configs with each key alone, all keys, unknown and non-str
// keys.
func TestLoadConfigMatchesProbes(t *testing.T) {
	keys := []string{"random_seed", "fuelLevel", "batteryVoltage", "engineState", "doorStatus",
		"acTemperature", "fanSpeed", "acMode", "humidityLevel", "headLightStatus", "parkingBrakeStatus",
		"parkingBrakeForce", "slopeAngle", "brakePedalStatus", "brakePedalForce", "distanceToNextVehicle",
		"cruiseStatus", "destination", "frontLeftTirePressure", "frontRightTirePressure",
		"rearLeftTirePressure", "rearRightTirePressure", "engine_state", "unknown"}
	var configs []*py.Dict
	all := py.NewDict()
	for i, k := range keys {
		v := py.Value(py.Str("value of " + k))
		if k == "doorStatus" {
			v = py.NewDict().With("driver", py.Str("locked"))
		}
		configs = append(configs, py.NewDict().With(k, v))
		all.SetStr(k, py.Int(i))
	}
	if err := all.Set(py.Int(7), py.Str("int key")); err != nil {
		t.Fatal(err)
	}
	configs = append(configs, py.NewDict(), all)
	for _, cfg := range configs {
		got, want := &Vehicle{}, &Vehicle{}
		seed, _ := got.loadConfig(cfg)
		loadByProbe(want, cfg)
		got.remainingUnlockedDoors = py.Int(4)
		if _, ok := cfg.GetStr("doorStatus"); !ok {
			got.doorStatus = defaultDoors()
		}
		if g, w := backend.EncodeState(got), backend.EncodeState(want); g != w {
			t.Errorf("config %s: state\n%s\nwant\n%s", py.Repr(cfg), g, w)
		}
		private := func(v *Vehicle) string {
			return py.Repr(py.Tuple{v.parkingBrakeForce, v.slopeAngle, v.brakePedalForce})
		}
		if g, w := private(got), private(want); g != w {
			t.Errorf("config %s: private attributes %s, want %s", py.Repr(cfg), g, w)
		}
		wantSeed, ok := cfg.GetStr("random_seed")
		if !ok {
			wantSeed = py.Int(defaultSeed)
		}
		if !py.Eq(seed, wantSeed) {
			t.Errorf("config %s: seed %s, want %s", py.Repr(cfg), py.Repr(seed), py.Repr(wantSeed))
		}
	}
}
