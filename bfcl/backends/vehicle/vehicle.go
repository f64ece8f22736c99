// Package vehicle is the BFCL VehicleControlAPI backend: engine, doors,
// climate, brakes, cruise control and trip helpers of a simulated car.
//
// Every attribute holds a Python value, as upstream's instance does, so
// wrong-typed arguments fail (or succeed) exactly where CPython does. The
// random outside temperature and speed come from the instance's own
// random.Random(141053) (or the scenario's random_seed). In long-context
// mode some outputs carry the long_context.py texts, and
// get_outside_temperature_from_google mutates and returns the process's
// LONG_WEATHER_EXTENSION dict, as upstream mutates its module dict.
package vehicle

import (
	"fmt"

	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/py"
	"github.com/seeupo/seeupo/bfcl/pyrandom"
)

const (
	maxFuelLevel  = 50
	minFuelLevel  = 0.0
	milePerGallon = 20.0
	defaultSeed   = 141053
)

// Vehicle is upstream's VehicleControlAPI.
type Vehicle struct {
	proc   *backend.Process
	random *pyrandom.Random

	fuelLevel, batteryVoltage, engineState, remainingUnlockedDoors py.Value
	doorStatus                                                     py.Value
	acTemperature, fanSpeed, acMode, humidityLevel                 py.Value
	headLightStatus, parkingBrakeStatus                            py.Value
	parkingBrakeForce, slopeAngle                                  py.Value // private
	brakePedalStatus                                               py.Value
	brakePedalForce                                                py.Value // private
	distanceToNextVehicle, cruiseStatus, destination               py.Value
	frontLeftTire, frontRightTire, rearLeftTire, rearRightTire     py.Value
	longContext                                                    bool
}

// State implements backend.Instance: the public attributes.
func (v *Vehicle) State() []py.Attr {
	return []py.Attr{
		{Name: "fuelLevel", Value: v.fuelLevel},
		{Name: "batteryVoltage", Value: v.batteryVoltage},
		{Name: "engine_state", Value: v.engineState},
		{Name: "remainingUnlockedDoors", Value: v.remainingUnlockedDoors},
		{Name: "doorStatus", Value: v.doorStatus},
		{Name: "acTemperature", Value: v.acTemperature},
		{Name: "fanSpeed", Value: v.fanSpeed},
		{Name: "acMode", Value: v.acMode},
		{Name: "humidityLevel", Value: v.humidityLevel},
		{Name: "headLightStatus", Value: v.headLightStatus},
		{Name: "parkingBrakeStatus", Value: v.parkingBrakeStatus},
		{Name: "brakePedalStatus", Value: v.brakePedalStatus},
		{Name: "distanceToNextVehicle", Value: v.distanceToNextVehicle},
		{Name: "cruiseStatus", Value: v.cruiseStatus},
		{Name: "destination", Value: v.destination},
		{Name: "frontLeftTirePressure", Value: v.frontLeftTire},
		{Name: "frontRightTirePressure", Value: v.frontRightTire},
		{Name: "rearLeftTirePressure", Value: v.rearLeftTire},
		{Name: "rearRightTirePressure", Value: v.rearRightTire},
		{Name: "long_context", Value: py.Bool(v.longContext)},
	}
}

func defaultDoors() *py.Dict {
	return py.NewDict().With("driver", py.Str("unlocked")).With("passenger", py.Str("unlocked")).
		With("rear_left", py.Str("unlocked")).With("rear_right", py.Str("unlocked"))
}

// LoadScenario implements backend.Instance (upstream _load_scenario).
func (v *Vehicle) LoadScenario(cfg *py.Dict, longContext bool) error {
	get := func(key string, def py.Value) py.Value {
		if x, ok := cfg.GetStr(key); ok {
			return x
		}
		return def
	}
	seed, err := seedOf(get("random_seed", py.Int(defaultSeed)))
	if err != nil {
		return err
	}
	v.random = pyrandom.New(seed)
	v.fuelLevel = get("fuelLevel", py.Float(0.0))
	v.batteryVoltage = get("batteryVoltage", py.Float(12.6))
	v.engineState = get("engineState", py.Str("stopped"))
	if x, ok := cfg.GetStr("doorStatus"); ok {
		v.doorStatus = x
	} else {
		v.doorStatus = defaultDoors()
	}
	doors, ok := v.doorStatus.(*py.Dict)
	if !ok {
		return fmt.Errorf("doorStatus: want an object, got %s", v.doorStatus.TypeName())
	}
	locked := 0
	for _, k := range doors.Keys() {
		st, _ := doors.Item(k)
		if py.Eq(st, py.Str("locked")) {
			locked++
		}
	}
	v.remainingUnlockedDoors = py.Int(4 - locked)
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
	v.longContext = longContext
	return nil
}

// seedOf accepts the int seeds random.Random takes.
func seedOf(v py.Value) (int64, error) {
	switch x := v.(type) {
	case py.Int:
		return int64(x), nil
	case py.Bool:
		if x {
			return 1, nil
		}
		return 0, nil
	}
	return 0, fmt.Errorf("random_seed: want an int, got %s", v.TypeName())
}

// constant returns a long_context.py constant of the instance's process.
func (v *Vehicle) constant(name string) (py.Value, error) {
	return v.proc.Constant(name)
}

// between is Python's chained lo <= x <= hi.
func between(lo, x, hi py.Value) (bool, error) {
	ok, err := py.Compare("<=", lo, x)
	if err != nil || !ok {
		return false, err
	}
	return py.Compare("<=", x, hi)
}

func errDict(msg string) *py.Dict { return py.NewDict().With("error", py.Str(msg)) }
