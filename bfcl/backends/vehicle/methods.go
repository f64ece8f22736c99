package vehicle

import (
	"strings"

	"github.com/seeupo/seeupo/bfcl/py"
	"github.com/seeupo/seeupo/bfcl/pynum"
)

func (v *Vehicle) startEngine(ignitionMode py.Value) (py.Value, error) {
	if py.Eq(ignitionMode, py.Str("STOP")) {
		v.engineState = py.Str("stopped")
	}
	unlocked, err := py.Compare(">", v.remainingUnlockedDoors, py.Int(0))
	if err != nil {
		return nil, err
	}
	if unlocked {
		names, err := v.unlockedDoorNames()
		if err != nil {
			return nil, err
		}
		return errDict("All doors must be locked before starting the engine. Here are the unlocked doors: " + names), nil
	}
	if !py.Eq(v.brakePedalStatus, py.Str("pressed")) {
		return errDict("Brake pedal needs to be pressed when starting the engine."), nil
	}
	if !py.Eq(v.brakePedalForce, py.Float(1000.0)) {
		return errDict("Must press the brake fully before starting the engine."), nil
	}
	empty, err := py.Less(v.fuelLevel, py.Float(minFuelLevel))
	if err != nil {
		return nil, err
	}
	if empty {
		return errDict("Fuel tank is empty."), nil
	}
	if !py.Eq(ignitionMode, py.Str("START")) {
		return errDict("Invalid ignition mode."), nil
	}
	v.engineState = py.Str("running")
	return py.NewDict().With("engineState", v.engineState).With("fuelLevel", v.fuelLevel).
		With("batteryVoltage", v.batteryVoltage), nil
}

// unlockedDoorNames is ", ".join(door for door, status in doorStatus.items() if status == "unlocked").
func (v *Vehicle) unlockedDoorNames() (string, error) {
	doors, ok := v.doorStatus.(*py.Dict)
	if !ok {
		return "", py.AttributeError(v.doorStatus, "items")
	}
	var names []string
	for i := 0; i < doors.Len(); i++ {
		if !py.Eq(doors.ValueAt(i), py.Str("unlocked")) {
			continue
		}
		s, ok := doors.KeyAt(i).(py.Str)
		if !ok {
			return "", py.TypeErrorf("sequence item %d: expected str instance, %s found", len(names), doors.KeyAt(i).TypeName())
		}
		names = append(names, string(s))
	}
	return strings.Join(names, ", "), nil
}

func (v *Vehicle) fillFuelTank(amount py.Value) (py.Value, error) {
	neg, err := py.Less(amount, py.Int(0))
	if err != nil {
		return nil, err
	}
	if neg {
		return errDict("Fuel amount cannot be negative."), nil
	}
	total, err := py.Add(v.fuelLevel, amount)
	if err != nil {
		return nil, err
	}
	if over, err := py.Compare(">", total, py.Int(maxFuelLevel)); err != nil {
		return nil, err
	} else if over {
		return errDict("Cannot fill gas above the tank capacity."), nil
	}
	total, err = py.Add(v.fuelLevel, amount)
	if err != nil {
		return nil, err
	}
	if under, err := py.Less(total, py.Float(minFuelLevel)); err != nil {
		return nil, err
	} else if under {
		return errDict("Fuel tank is empty. Min fuel level is 0 gallons."), nil
	}
	v.fuelLevel, err = inplaceAdd(v.fuelLevel, amount)
	if err != nil {
		return nil, err
	}
	return py.NewDict().With("fuelLevel", v.fuelLevel), nil
}

// inplaceAdd is a += b: a list is extended in place, others rebound.
func inplaceAdd(a, b py.Value) (py.Value, error) {
	if l, ok := a.(*py.List); ok {
		items, err := pynum.Iter(b)
		if err != nil {
			return nil, err
		}
		l.Items = append(l.Items, items...)
		return l, nil
	}
	return py.Add(a, b)
}

func (v *Vehicle) lockDoors(unlock, door py.Value) (py.Value, error) {
	doors, err := pynum.Iter(door)
	if err != nil {
		return nil, err
	}
	to, delta, status := "unlocked", py.Int(1), "unlocked"
	if !py.Truthy(unlock) {
		to, delta, status = "locked", py.Int(-1), "locked"
	}
	for _, d := range doors {
		cur, err := py.Index(v.doorStatus, d)
		if err != nil {
			return nil, err
		}
		if py.EqStr(cur, to) {
			continue
		}
		if err := setItem(v.doorStatus, d, py.Str(to)); err != nil {
			return nil, err
		}
		if v.remainingUnlockedDoors, err = py.Add(v.remainingUnlockedDoors, delta); err != nil {
			return nil, err
		}
	}
	return py.NewDict().With("lockStatus", py.Str(status)).
		With("remainingUnlockedDoors", v.remainingUnlockedDoors), nil
}

// setItem is container[key] = value for a dict.
func setItem(container, key, value py.Value) error {
	d, ok := container.(*py.Dict)
	if !ok {
		return py.TypeErrorf("'%s' object does not support item assignment", container.TypeName())
	}
	return d.Set(key, value)
}

func (v *Vehicle) adjustClimateControl(temperature, unit, fanSpeed, mode py.Value) (py.Value, error) {
	ok, err := between(py.Int(0), fanSpeed, py.Int(100))
	if err != nil {
		return nil, err
	}
	if !ok {
		return errDict("Fan speed must be between 0 and 100."), nil
	}
	v.acTemperature = temperature
	if py.Eq(unit, py.Str("fahrenheit")) {
		t, err := py.Sub(temperature, py.Int(32))
		if err == nil {
			t, err = py.Mul(t, py.Int(5))
		}
		if err == nil {
			t, err = py.TrueDiv(t, py.Int(9))
		}
		if err != nil {
			return nil, err
		}
		v.acTemperature = t
	}
	v.fanSpeed = fanSpeed
	v.acMode = mode
	return py.NewDict().With("currentACTemperature", temperature).With("climateMode", mode).
		With("humidityLevel", v.humidityLevel), nil
}

func (v *Vehicle) outsideTemperatureGoogle() (py.Value, error) {
	if v.longContext {
		c, err := v.constant("LONG_WEATHER_EXTENSION")
		if err != nil {
			return nil, err
		}
		weather := c.(*py.Dict)
		weather.SetStr("outsideTemperature", py.Float(v.random.Uniform(-10.0, 40.0)))
		return weather, nil
	}
	return py.NewDict().With("outsideTemperature", py.Float(v.random.Uniform(-10.0, 40.0))), nil
}

func (v *Vehicle) setHeadlights(mode py.Value) (py.Value, error) {
	if !inList(mode, "on", "off", "auto") {
		return errDict("Invalid headlight mode."), nil
	}
	status := py.Str("off")
	if py.Eq(mode, py.Str("on")) {
		status = "on"
	}
	v.headLightStatus = status
	return py.NewDict().With("headlightStatus", status), nil
}

// inList is `x in [a, b, ...]` over strings.
func inList(x py.Value, options ...string) bool {
	for _, o := range options {
		if py.Eq(py.Str(o), x) {
			return true
		}
	}
	return false
}

func (v *Vehicle) displayCarStatus(option py.Value) (py.Value, error) {
	status := py.NewDict()
	if v.longContext {
		c, err := v.constant("CAR_STATUS_METADATA_EXTENSION")
		if err != nil {
			return nil, err
		}
		status.SetStr("metadata", c)
	}
	switch {
	case py.Eq(option, py.Str("fuel")):
		status.SetStr("fuelLevel", v.fuelLevel)
	case py.Eq(option, py.Str("battery")):
		status.SetStr("batteryVoltage", v.batteryVoltage)
	case py.Eq(option, py.Str("doors")):
		status.SetStr("doorStatus", v.doorStatus)
	case py.Eq(option, py.Str("climate")):
		status.SetStr("currentACTemperature", v.acTemperature)
		status.SetStr("fanSpeed", v.fanSpeed)
		status.SetStr("climateMode", v.acMode)
		status.SetStr("humidityLevel", v.humidityLevel)
	case py.Eq(option, py.Str("headlights")):
		status.SetStr("headlightStatus", v.headLightStatus)
	case py.Eq(option, py.Str("parkingBrake")):
		status.SetStr("parkingBrakeStatus", v.parkingBrakeStatus)
		status.SetStr("parkingBrakeForce", v.parkingBrakeForce)
		status.SetStr("slopeAngle", v.slopeAngle)
	case py.Eq(option, py.Str("brakePedal")):
		status.SetStr("brakePedalStatus", v.brakePedalStatus)
		status.SetStr("brakePedalForce", v.brakePedalForce)
	case py.Eq(option, py.Str("engine")):
		status.SetStr("engineState", v.engineState)
	default:
		status.SetStr("error", py.Str("Invalid option"))
	}
	return status, nil
}

func (v *Vehicle) activateParkingBrake(mode py.Value) (py.Value, error) {
	if !inList(mode, "engage", "release") {
		return errDict("Invalid mode"), nil
	}
	status, force := py.Str("engaged"), py.Float(500.0)
	if !py.Eq(mode, py.Str("engage")) {
		status, force = py.Str("released"), py.Float(0.0)
	}
	v.parkingBrakeStatus = status
	v.parkingBrakeForce = force
	v.slopeAngle = py.Float(10.0)
	out := py.NewDict()
	if v.longContext {
		c, err := v.constant("PARKING_BRAKE_INSTRUCTION")
		if err != nil {
			return nil, err
		}
		out.SetStr("parkingBrakeInstruction", c)
	}
	return out.With("parkingBrakeStatus", status).With("_parkingBrakeForce", force).
		With("_slopeAngle", py.Float(10.0)), nil
}

func (v *Vehicle) pressBrakePedal(position py.Value) (py.Value, error) {
	ok, err := between(py.Int(0), position, py.Int(1))
	if err != nil {
		return nil, err
	}
	if !ok {
		return errDict("Pedal position must be between 0 and 1."), nil
	}
	if py.Eq(position, py.Int(0)) {
		v.brakePedalStatus = py.Str("released")
		v.brakePedalForce = py.Float(0.0)
		return py.NewDict().With("brakePedalStatus", py.Str("released")).With("brakePedalForce", py.Float(0.0)), nil
	}
	force, err := py.Mul(position, py.Int(1000))
	if err != nil {
		return nil, err
	}
	v.brakePedalStatus = py.Str("pressed")
	v.brakePedalForce = force
	f, err := pynum.ToFloat(force)
	if err != nil {
		return nil, err
	}
	return py.NewDict().With("brakePedalStatus", py.Str("pressed")).With("brakePedalForce", f), nil
}

func (v *Vehicle) releaseBrakePedal() (py.Value, error) {
	v.brakePedalStatus = py.Str("released")
	v.brakePedalForce = py.Float(0.0)
	return py.NewDict().With("brakePedalStatus", py.Str("released")).With("brakePedalForce", py.Float(0.0)), nil
}

func (v *Vehicle) setCruiseControl(speed, activate, distance py.Value) (py.Value, error) {
	distance, err := pynum.ToFloat(distance)
	if err != nil {
		return nil, err
	}
	speed, err = pynum.ToFloat(speed)
	if err != nil {
		return nil, err
	}
	if py.Eq(v.engineState, py.Str("stopped")) {
		return errDict("Start the engine before activating the cruise control."), nil
	}
	status := py.Str("inactive")
	v.distanceToNextVehicle = distance
	if py.Truthy(activate) {
		s := float64(speed.(py.Float))
		rem, _ := pynum.Mod(speed, py.Int(5))
		if s < 0 || s > 120 || !py.Eq(rem, py.Int(0)) {
			return errDict("Invalid speed"), nil
		}
		status = "active"
	}
	v.cruiseStatus = status
	return py.NewDict().With("cruiseStatus", status).With("currentSpeed", speed).
		With("distanceToNextVehicle", distance), nil
}

func (v *Vehicle) currentSpeed() (py.Value, error) {
	return py.NewDict().With("currentSpeed", py.Float(v.random.Uniform(0.0, 120.0))), nil
}

func (v *Vehicle) driveFeasibility(distance py.Value) (py.Value, error) {
	reach, err := py.Mul(v.fuelLevel, py.Float(milePerGallon))
	if err != nil {
		return nil, err
	}
	short, err := py.Less(reach, distance)
	if err != nil {
		return nil, err
	}
	return py.NewDict().With("canDrive", py.Bool(!short)), nil
}

func scaled(key string, x py.Value, factor float64) (py.Value, error) {
	r, err := py.Mul(x, py.Float(factor))
	if err != nil {
		return nil, err
	}
	return py.NewDict().With(key, r), nil
}

// distances are upstream's known city pairs (zip codes, either order).
var distances = []struct {
	a, b string
	km   float64
}{
	{"83214", "74532", 750.0}, {"56108", "62947", 320.0}, {"71354", "83462", 450.0},
	{"47329", "52013", 290.0}, {"69238", "51479", 630.0}, {"94016", "83214", 980.0},
	{"94016", "94704", 600.0}, {"94704", "08540", 2550.0}, {"94016", "08540", 1950.0},
	{"62947", "47329", 1053.0}, {"94016", "62947", 780.0}, {"74532", "94016", 880.0},
}

func (v *Vehicle) estimateDistance(cityA, cityB py.Value) (py.Value, error) {
	out := errDict("distance not found in database.")
	for _, d := range distances {
		a, b := py.Str(d.a), py.Str(d.b)
		if (py.Eq(cityA, a) && py.Eq(cityB, b)) || (py.Eq(cityA, b) && py.Eq(cityB, a)) {
			out = py.NewDict().With("distance", py.Float(d.km))
			break
		}
	}
	if v.longContext {
		c, err := v.constant("INTERMEDIARY_CITIES")
		if err != nil {
			return nil, err
		}
		out.SetStr("intermediaryCities", c)
	}
	return out, nil
}

// zipcodes is upstream's city to zip code table.
var zipcodes = []struct{ city, zip string }{
	{"Rivermist", "83214"}, {"Stonebrook", "74532"}, {"Maplecrest", "56108"},
	{"Silverpine", "62947"}, {"Shadowridge", "71354"}, {"Sunset Valley", "83462"},
	{"Oakendale", "47329"}, {"Willowbend", "52013"}, {"Crescent Hollow", "69238"},
	{"Autumnville", "51479"}, {"San Francisco", "94016"},
}

func zipcodeOf(city py.Value) (py.Value, error) {
	for _, z := range zipcodes {
		if py.EqStr(city, z.city) {
			return py.NewDict().With("zipcode", py.Str(z.zip)), nil
		}
	}
	return py.NewDict().With("zipcode", py.Str("00000")), nil
}

func (v *Vehicle) setNavigation(destination py.Value) (py.Value, error) {
	v.destination = destination
	msg, err := py.Add(py.Str("Navigating to "), destination)
	if err != nil {
		return nil, err
	}
	return py.NewDict().With("status", msg), nil
}

func (v *Vehicle) checkTirePressure() (py.Value, error) {
	sum, err := py.Add(v.frontLeftTire, v.frontRightTire)
	if err == nil {
		sum, err = py.Add(sum, v.rearLeftTire)
	}
	if err == nil {
		sum, err = py.Add(sum, v.rearRightTire)
	}
	if err != nil {
		return nil, err
	}
	mean, err := py.TrueDiv(sum, py.Int(4))
	if err != nil {
		return nil, err
	}
	healthy, err := between(py.Int(30), mean, py.Int(35))
	if err != nil {
		return nil, err
	}
	out := py.NewDict().With("frontLeftTirePressure", v.frontLeftTire).
		With("frontRightTirePressure", v.frontRightTire).
		With("rearLeftTirePressure", v.rearLeftTire).
		With("rearRightTirePressure", v.rearRightTire).
		With("healthy_tire_pressure", py.Bool(healthy)).
		With("car_info", py.NewDict())
	if v.longContext {
		c, err := v.constant("CAR_STATUS_METADATA_EXTENSION")
		if err != nil {
			return nil, err
		}
		out.SetStr("car_info", c)
	}
	return out, nil
}
