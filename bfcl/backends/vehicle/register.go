package vehicle

import (
	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/py"
)

// ClassName is the upstream class name.
const ClassName = "VehicleControlAPI"

func init() {
	backend.Register(&backend.Class{
		Name:        ClassName,
		ReadsConfig: true,
		New:         func(p *backend.Process) backend.Instance { return &Vehicle{proc: p} },
		Methods:     methods(),
	})
}

func methods() []*backend.Method {
	return []*backend.Method{
		backend.MethodOf("startEngine", backend.Reqs("ignitionMode"), func(v *Vehicle, a []py.Value) (py.Value, error) { return v.startEngine(a[0]) }),
		backend.MethodOf("fillFuelTank", backend.Reqs("fuelAmount"), func(v *Vehicle, a []py.Value) (py.Value, error) { return v.fillFuelTank(a[0]) }),
		backend.MethodOf("lockDoors", backend.Reqs("unlock", "door"), func(v *Vehicle, a []py.Value) (py.Value, error) { return v.lockDoors(a[0], a[1]) }),
		backend.MethodOf("adjustClimateControl", []backend.Param{backend.Req("temperature"),
			backend.Opt("unit", py.Str("celsius")), backend.Opt("fanSpeed", py.Int(50)), backend.Opt("mode", py.Str("auto"))},
			func(v *Vehicle, a []py.Value) (py.Value, error) {
				return v.adjustClimateControl(a[0], a[1], a[2], a[3])
			}),
		backend.MethodOf("get_outside_temperature_from_google", nil, func(v *Vehicle, a []py.Value) (py.Value, error) { return v.outsideTemperatureGoogle() }),
		backend.MethodOf("get_outside_temperature_from_weather_com", nil, func(v *Vehicle, a []py.Value) (py.Value, error) {
			return py.NewDict().With("error", py.Int(404)), nil
		}),
		backend.MethodOf("setHeadlights", backend.Reqs("mode"), func(v *Vehicle, a []py.Value) (py.Value, error) { return v.setHeadlights(a[0]) }),
		backend.MethodOf("displayCarStatus", backend.Reqs("option"), func(v *Vehicle, a []py.Value) (py.Value, error) { return v.displayCarStatus(a[0]) }),
		backend.MethodOf("activateParkingBrake", backend.Reqs("mode"), func(v *Vehicle, a []py.Value) (py.Value, error) { return v.activateParkingBrake(a[0]) }),
		backend.MethodOf("pressBrakePedal", backend.Reqs("pedalPosition"), func(v *Vehicle, a []py.Value) (py.Value, error) { return v.pressBrakePedal(a[0]) }),
		backend.MethodOf("releaseBrakePedal", nil, func(v *Vehicle, a []py.Value) (py.Value, error) { return v.releaseBrakePedal() }),
		backend.MethodOf("setCruiseControl", backend.Reqs("speed", "activate", "distanceToNextVehicle"),
			func(v *Vehicle, a []py.Value) (py.Value, error) { return v.setCruiseControl(a[0], a[1], a[2]) }),
		backend.MethodOf("get_current_speed", nil, func(v *Vehicle, a []py.Value) (py.Value, error) { return v.currentSpeed() }),
		backend.MethodOf("display_log", backend.Reqs("messages"), func(v *Vehicle, a []py.Value) (py.Value, error) {
			return py.NewDict().With("log", a[0]), nil
		}),
		backend.MethodOf("estimate_drive_feasibility_by_mileage", backend.Reqs("distance"), func(v *Vehicle, a []py.Value) (py.Value, error) { return v.driveFeasibility(a[0]) }),
		backend.MethodOf("liter_to_gallon", backend.Reqs("liter"), func(v *Vehicle, a []py.Value) (py.Value, error) { return scaled("gallon", a[0], 0.264172) }),
		backend.MethodOf("gallon_to_liter", backend.Reqs("gallon"), func(v *Vehicle, a []py.Value) (py.Value, error) { return scaled("liter", a[0], 3.78541) }),
		backend.MethodOf("estimate_distance", backend.Reqs("cityA", "cityB"), func(v *Vehicle, a []py.Value) (py.Value, error) { return v.estimateDistance(a[0], a[1]) }),
		backend.MethodOf("get_zipcode_based_on_city", backend.Reqs("city"), func(v *Vehicle, a []py.Value) (py.Value, error) { return zipcodeOf(a[0]) }),
		backend.MethodOf("set_navigation", backend.Reqs("destination"), func(v *Vehicle, a []py.Value) (py.Value, error) { return v.setNavigation(a[0]) }),
		backend.MethodOf("check_tire_pressure", nil, func(v *Vehicle, a []py.Value) (py.Value, error) { return v.checkTirePressure() }),
		backend.MethodOf("find_nearest_tire_shop", nil, func(v *Vehicle, a []py.Value) (py.Value, error) {
			return py.NewDict().With("shopLocation", py.Str("456 Oakwood Avenue, Rivermist, 83214")), nil
		}),
	}
}
