package travel

import (
	"github.com/seeupo/seeupo/bfcl/backend"
	"github.com/seeupo/seeupo/bfcl/py"
)

func init() {
	backend.Register(&backend.Class{
		Name:        ClassName,
		ReadsConfig: true,
		New:         func(p *backend.Process) backend.Instance { return &Travel{proc: p} },
		Methods:     methods(),
	})
}

func methods() []*backend.Method {
	return []*backend.Method{
		backend.MethodOf("authenticate_travel", backend.Reqs("client_id", "client_secret", "refresh_token", "grant_type", "user_first_name", "user_last_name"),
			func(tr *Travel, a []py.Value) (py.Value, error) { return tr.authenticate(a[3], a[4], a[5]) }),
		backend.MethodOf("travel_get_login_status", nil, func(tr *Travel, a []py.Value) (py.Value, error) { return tr.loginStatus() }),
		backend.MethodOf("get_budget_fiscal_year", []backend.Param{backend.Opt("lastModifiedAfter", py.None), backend.Opt("includeRemoved", py.None)},
			func(tr *Travel, a []py.Value) (py.Value, error) {
				return py.NewDict().With("budget_fiscal_year", py.Str("2018")), nil
			}),
		backend.MethodOf("register_credit_card", backend.Reqs("access_token", "card_number", "expiration_date", "cardholder_name", "card_verification_number"),
			func(tr *Travel, a []py.Value) (py.Value, error) { return tr.registerCard(a[0], a[1], a[2], a[3], a[4]) }),
		backend.MethodOf("get_flight_cost", backend.Reqs("travel_from", "travel_to", "travel_date", "travel_class"),
			func(tr *Travel, a []py.Value) (py.Value, error) { return tr.flightCost(a[0], a[1], a[2], a[3]) }),
		backend.MethodOf("get_credit_card_balance", backend.Reqs("access_token", "card_id"),
			func(tr *Travel, a []py.Value) (py.Value, error) { return tr.cardBalance(a[0], a[1]) }),
		backend.MethodOf("book_flight", backend.Reqs("access_token", "card_id", "travel_date", "travel_from", "travel_to", "travel_class"),
			func(tr *Travel, a []py.Value) (py.Value, error) {
				return tr.bookFlight(a[0], a[1], a[2], a[3], a[4], a[5])
			}),
		backend.MethodOf("retrieve_invoice", []backend.Param{backend.Req("access_token"), backend.Opt("booking_id", py.None), backend.Opt("insurance_id", py.None)},
			func(tr *Travel, a []py.Value) (py.Value, error) { return tr.retrieveInvoice(a[0], a[1]) }),
		backend.MethodOf("get_booking_history", backend.Reqs("access_token"), func(tr *Travel, a []py.Value) (py.Value, error) { return tr.bookingHistory(a[0]) }),
		backend.MethodOf("list_all_airports", nil, func(tr *Travel, a []py.Value) (py.Value, error) { return py.StrList(airports...), nil }),
		backend.MethodOf("cancel_booking", backend.Reqs("access_token", "booking_id"),
			func(tr *Travel, a []py.Value) (py.Value, error) { return tr.cancelBooking(a[0], a[1]) }),
		backend.MethodOf("compute_exchange_rate", backend.Reqs("base_currency", "target_currency", "value"),
			func(tr *Travel, a []py.Value) (py.Value, error) { return exchange(a[0], a[1], a[2]) }),
		backend.MethodOf("verify_traveler_information", backend.Reqs("first_name", "last_name", "date_of_birth", "passport_number"),
			func(tr *Travel, a []py.Value) (py.Value, error) { return tr.verifyTraveler(a[0], a[1], a[2], a[3]) }),
		backend.MethodOf("set_budget_limit", backend.Reqs("access_token", "budget_limit"),
			func(tr *Travel, a []py.Value) (py.Value, error) { return tr.setBudget(a[0], a[1]) }),
		backend.MethodOf("get_nearest_airport_by_city", backend.Reqs("location"), func(tr *Travel, a []py.Value) (py.Value, error) { return nearestAirport(a[0]) }),
		backend.MethodOf("purchase_insurance", backend.Reqs("access_token", "insurance_type", "booking_id", "insurance_cost", "card_id"),
			func(tr *Travel, a []py.Value) (py.Value, error) { return tr.purchaseInsurance(a[0], a[2], a[3], a[4]) }),
		backend.MethodOf("contact_customer_support", backend.Reqs("booking_id", "message"),
			func(tr *Travel, a []py.Value) (py.Value, error) { return tr.contactSupport(a[0]) }),
		backend.MethodOf("get_all_credit_cards", nil, func(tr *Travel, a []py.Value) (py.Value, error) {
			return py.NewDict().With("credit_card_list", tr.creditCards), nil
		}),
	}
}
