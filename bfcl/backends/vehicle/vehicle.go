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
	seedValue, hasDoors := v.loadConfig(cfg)
	seed, err := seedOf(seedValue)
	if err != nil {
		return err
	}
	v.random = pyrandom.New(seed)
	if !hasDoors {
		v.doorStatus = defaultDoors()
	}
	doors, ok := v.doorStatus.(*py.Dict)
	if !ok {
		return fmt.Errorf("doorStatus: want an object, got %s", v.doorStatus.TypeName())
	}
	locked := 0
	for i := 0; i < doors.Len(); i++ {
		if py.Eq(doors.ValueAt(i), py.Str("locked")) {
			locked++
		}
	}
	v.remainingUnlockedDoors = py.Int(4 - locked)
	v.longContext = longContext
	return nil
}

// loadConfig sets the attributes to the config's values, or their
// defaults, in one pass over the config. It returns the random seed
// (cfg's or the default) and whether cfg has doorStatus (then set).
//
// The config is shared (ReadsConfig): each value kept is a deep copy,
// made by one Copier in the config's order, as the deep copy of the
// whole config would make it.
func (v *Vehicle) loadConfig(cfg *py.Dict) (seed py.Value, hasDoors bool) {
	var copier py.Copier
	seed = py.Int(defaultSeed)
	v.fuelLevel, v.batteryVoltage, v.engineState = py.Float(0.0), py.Float(12.6), py.Str("stopped")
	v.acTemperature, v.fanSpeed, v.acMode, v.humidityLevel = py.Float(25.0), py.Int(50), py.Str("auto"), py.Float(50.0)
	v.headLightStatus, v.parkingBrakeStatus = py.Str("off"), py.Str("released")
	v.parkingBrakeForce, v.slopeAngle = py.Float(0.0), py.Float(0.0)
	v.brakePedalStatus, v.brakePedalForce = py.Str("released"), py.Float(0.0)
	v.distanceToNextVehicle, v.cruiseStatus, v.destination = py.Float(50.0), py.Str("inactive"), py.Str("None")
	v.frontLeftTire, v.frontRightTire = py.Float(32.0), py.Float(32.0)
	v.rearLeftTire, v.rearRightTire = py.Float(30.0), py.Float(30.0)
	for i := 0; i < cfg.Len(); i++ {
		k, ok := cfg.KeyAt(i).(py.Str)
		if !ok {
			continue
		}
		if dst := v.configField(string(k)); dst != nil {
			*dst = copier.Copy(cfg.ValueAt(i))
			continue
		}
		switch k {
		case "random_seed":
			seed = cfg.ValueAt(i) // read, not kept
		case "doorStatus":
			v.doorStatus, hasDoors = copier.Copy(cfg.ValueAt(i)), true
		}
	}
	return seed, hasDoors
}

// configField is the attribute a config key sets, or nil.
func (v *Vehicle) configField(key string) *py.Value {
	switch key {
	case "fuelLevel":
		return &v.fuelLevel
	case "batteryVoltage":
		return &v.batteryVoltage
	case "engineState":
		return &v.engineState
	case "acTemperature":
		return &v.acTemperature
	case "fanSpeed":
		return &v.fanSpeed
	case "acMode":
		return &v.acMode
	case "humidityLevel":
		return &v.humidityLevel
	case "headLightStatus":
		return &v.headLightStatus
	case "parkingBrakeStatus":
		return &v.parkingBrakeStatus
	case "parkingBrakeForce":
		return &v.parkingBrakeForce
	case "slopeAngle":
		return &v.slopeAngle
	case "brakePedalStatus":
		return &v.brakePedalStatus
	case "brakePedalForce":
		return &v.brakePedalForce
	case "distanceToNextVehicle":
		return &v.distanceToNextVehicle
	case "cruiseStatus":
		return &v.cruiseStatus
	case "destination":
		return &v.destination
	case "frontLeftTirePressure":
		return &v.frontLeftTire
	case "frontRightTirePressure":
		return &v.frontRightTire
	case "rearLeftTirePressure":
		return &v.rearLeftTire
	case "rearRightTirePressure":
		return &v.rearRightTire
	}
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
