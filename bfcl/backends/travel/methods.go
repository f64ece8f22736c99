package travel

import (
	"time"

	"github.com/seeupo/seeupo/bfcl/py"
	"github.com/seeupo/seeupo/bfcl/pynum"
)

var airports = []string{"RMS", "SBK", "MPC", "SVP", "SHD", "CDG", "LHR", "SSV", "OKD", "WLB", "PEK",
	"HND", "HKG", "CIA", "CRH", "ATV", "PHV", "GFD", "SFO", "LAX", "JFK", "ORD", "BOS"}

var cityAirports = []struct{ city, code string }{
	{"Rivermist", "RMS"}, {"Stonebrook", "SBK"}, {"Maplecrest", "MPC"}, {"Silverpine", "SVP"},
	{"Shadowridge", "SHD"}, {"London", "LHR"}, {"Paris", "CDG"}, {"Sunset Valley", "SSV"},
	{"Oakendale", "OKD"}, {"Willowbend", "WLB"}, {"Crescent Hollow", "CRH"}, {"Autumnville", "ATV"},
	{"Pinehaven", "PHV"}, {"Greenfield", "GFD"}, {"San Francisco", "SFO"}, {"Los Angeles", "LAX"},
	{"New York", "JFK"}, {"Chicago", "ORD"}, {"Boston", "BOS"}, {"Beijing", "PEK"},
	{"Hong Kong", "HKG"}, {"Rome", "CIA"}, {"Tokyo", "HND"},
}

var exchangeRates = []struct {
	from, to string
	rate     py.Value
}{
	{"USD", "RMB", py.Int(7)}, {"USD", "EUR", py.Float(0.8)}, {"USD", "JPY", py.Int(110)},
	{"USD", "GBP", py.Float(0.7)}, {"USD", "CAD", py.Float(1.3)}, {"USD", "AUD", py.Float(1.4)},
	{"USD", "INR", py.Int(70)}, {"USD", "RUB", py.Int(60)}, {"USD", "BRL", py.Float(3.8)},
	{"USD", "MXN", py.Int(20)},
}

func (tr *Travel) authenticate(grantType, firstName, lastName py.Value) (py.Value, error) {
	tr.tokenExpiresIn = py.Int(2)
	tr.accessToken = tr.randomID(100000, 999999)
	tr.tokenType = py.Str("Bearer")
	tr.tokenScope = grantType
	tr.userFirstName = firstName
	tr.userLastName = lastName
	return py.NewDict().With("expires_in", py.Int(2)).With("access_token", tr.accessToken).
		With("token_type", py.Str("Bearer")).With("scope", grantType), nil
}

func (tr *Travel) loginStatus() (py.Value, error) {
	notLoggedIn := py.IsNone(tr.tokenExpiresIn) || py.Eq(tr.tokenExpiresIn, py.Int(0))
	return py.NewDict().With("status", py.Bool(!notLoggedIn)), nil
}

// tokenError is the shared check of the secured endpoints: an expired
// token, then a wrong access token. It returns the message or "".
func (tr *Travel) tokenError(accessToken py.Value) string {
	if py.Eq(tr.tokenExpiresIn, py.Int(0)) {
		return "Token expired"
	}
	if !py.Eq(accessToken, tr.accessToken) {
		return "Invalid access token"
	}
	return ""
}

func (tr *Travel) registerCard(accessToken, number, expiration, holder, cvv py.Value) (py.Value, error) {
	if py.IsNone(tr.tokenExpiresIn) {
		return errDict("Token not initialized"), nil
	}
	if msg := tr.tokenError(accessToken); msg != "" {
		return errDict(msg), nil
	}
	known, err := py.Contains(tr.creditCards, number)
	if err != nil {
		return nil, err
	}
	if known {
		return errDict("Card already registered"), nil
	}
	cardID := tr.randomID(100000000000, 999999999999)
	card := py.NewDict().With("card_number", number).With("expiration_date", expiration).
		With("cardholder_name", holder).With("card_verification_number", cvv).
		With("balance", py.Int(tr.random.RandInt(10000, 99999)))
	if err := setItem(tr.creditCards, cardID, card); err != nil {
		return nil, err
	}
	return py.NewDict().With("card_id", cardID), nil
}

// setItem is container[key] = value.
func setItem(container, key, value py.Value) error {
	d, ok := container.(*py.Dict)
	if !ok {
		return py.TypeErrorf("'%s' object does not support item assignment", container.TypeName())
	}
	return d.Set(key, value)
}

// lookupKey is f"{travel_from}|{travel_to}|{travel_class}|{travel_date}".
func lookupKey(from, to, class, date py.Value) string {
	return py.StrOf(from) + "|" + py.StrOf(to) + "|" + py.StrOf(class) + "|" + py.StrOf(date)
}

// costLookup is upstream's private _flight_cost_lookup, a dict from
// "from|to|class|date" to {"cost": cost}. Every key of one filling shares
// the class and the date, so it keeps the routes, their costs and those two
// texts instead of one key string and one dict per route.
type costLookup struct {
	routes      []route
	costs       []py.Value
	class, date string
}

// get is _flight_cost_lookup.get(key)["cost"]; ok is false when key is
// absent. Keys are unique, as in the dict.
func (c *costLookup) get(key string) (cost py.Value, ok bool) {
	for i, r := range c.routes {
		if isLookupKey(key, r.from, r.to, c.class, c.date) {
			return c.costs[i], true
		}
	}
	return nil, false
}

// isLookupKey reports whether key is the four parts joined with "|".
func isLookupKey(key string, parts ...string) bool {
	n := len(parts) - 1
	for _, p := range parts {
		n += len(p)
	}
	if len(key) != n {
		return false
	}
	for i, p := range parts {
		if i > 0 {
			if key[0] != '|' {
				return false
			}
			key = key[1:]
		}
		if key[:len(p)] != p {
			return false
		}
		key = key[len(p):]
	}
	return true
}

// maxCostFactor is the largest class factor times date multiplier (5 * 2).
const maxCostFactor = 10

// routeCosts holds float(base * k) as a Value for each route of baseCosts
// and each k up to maxCostFactor, made once: the cost lists reuse them
// instead of boxing a new float per route and call.
var routeCosts = func() [][maxCostFactor + 1]py.Value {
	t := make([][maxCostFactor + 1]py.Value, len(baseCosts))
	for i, r := range baseCosts {
		for k := range t[i] {
			t[i][k] = py.Float(float64(r.cost * int64(k)))
		}
	}
	return t
}()

// longCostLists holds, for each k up to maxCostFactor, the long-context
// cost list (every route's float(base * k) in baseCosts order), frozen once:
// a call hands out a copy that borrows its items and renders from the
// stored text, and the lookup reads the frozen items, which nothing writes.
var longCostLists = func() [maxCostFactor + 1]*py.FrozenList {
	var t [maxCostFactor + 1]*py.FrozenList
	for k := range t {
		items := make([]py.Value, len(baseCosts))
		for i := range baseCosts {
			items[i] = routeCosts[i][k]
		}
		t[k] = py.Freeze(&py.List{Items: items})
	}
	return t
}()

func (tr *Travel) flightCost(from, to, date, class py.Value) (py.Value, error) {
	k, err := tr.fillCostLookup(from, to, date, class)
	if err != nil {
		return nil, err
	}
	var list *py.List
	if tr.longContext {
		list = longCostLists[k].Copy()
	} else {
		list = py.NewList(tr.flightCostLookup.costs[0])
	}
	return py.NewDict().With("travel_cost_list", list), nil
}

// fillCostLookup is get_flight_cost without its result: it checks the
// arguments, fills the cost lookup and returns the cost factor k (travel
// class times date multiplier), or the error get_flight_cost raises.
func (tr *Travel) fillCostLookup(from, to, date, class py.Value) (int64, error) {
	if err := hashable(from, to); err != nil {
		return 0, err
	}
	routeIdx := routeIndex(from, to)
	if routeIdx < 0 {
		return 0, py.ValueErrorf("No available route for the given airports.")
	}
	var factor int64
	switch {
	case py.Eq(class, py.Str("economy")):
		factor = 1
	case py.Eq(class, py.Str("business")):
		factor = 2
	case py.Eq(class, py.Str("first")):
		factor = 5
	default:
		return 0, py.ValueErrorf("Invalid travel class. Options are: economy, business, first.")
	}
	mult, err := dateMultiplier(date)
	if err != nil {
		return 0, err
	}
	k := factor * mult
	lookup := &costLookup{class: py.StrOf(class), date: py.StrOf(date)}
	if tr.longContext {
		lookup.routes = baseCosts
		lookup.costs = longCostLists[k].Items()
	} else {
		lookup.routes = []route{{from: py.StrOf(from), to: py.StrOf(to)}}
		lookup.costs = []py.Value{routeCosts[routeIdx][k]}
	}
	tr.flightCostLookup = lookup
	return k, nil
}

// routeIndex is the index in baseCosts of the first route from from to
// to, or -1.
func routeIndex(from, to py.Value) int {
	f, fStr := from.(py.Str)
	t, tStr := to.(py.Str)
	if fStr && tStr {
		for i, r := range baseCosts {
			if r.from == string(f) && r.to == string(t) {
				return i
			}
		}
		return -1
	}
	for i, r := range baseCosts {
		if py.EqStr(from, r.from) && py.EqStr(to, r.to) {
			return i
		}
	}
	return -1
}

// dateMultiplier is 2 when the digits of the travel date sum to an even
// number, else 1.
func dateMultiplier(date py.Value) (int64, error) {
	if s, ok := date.(py.Str); ok && isASCII(string(s)) {
		// str.isdigit is exactly '0'-'9' on ASCII characters.
		sum := 0
		for i := 0; i < len(s); i++ {
			if c := s[i]; c >= '0' && c <= '9' {
				sum += int(c - '0')
			}
		}
		return 2 - int64(sum%2), nil
	}
	return dateMultiplierAny(date)
}

// dateMultiplierAny is dateMultiplier for any value, step by step as
// upstream's sum(int(char) for char in travel_date if char.isdigit()).
func dateMultiplierAny(date py.Value) (int64, error) {
	chars, err := pynum.Iter(date)
	if err != nil {
		return 0, err
	}
	var sum py.Value = py.Int(0)
	for _, c := range chars {
		s, ok := c.(py.Str)
		if !ok {
			return 0, py.AttributeError(c, "isdigit")
		}
		if !pynum.IsDigitStr(string(s)) {
			continue
		}
		d, err := pynum.ToInt(s)
		if err != nil {
			return 0, err
		}
		if sum, err = py.Add(sum, d); err != nil {
			return 0, err
		}
	}
	rem, err := pynum.Mod(sum, py.Int(2))
	if err != nil {
		return 0, err
	}
	if py.Eq(rem, py.Int(0)) {
		return 2, nil
	}
	return 1, nil
}

// isAirport is `code in all_airports` (the list of airports): a str is
// looked up directly, any other value goes through list membership.
func isAirport(code py.Value) bool {
	if s, ok := code.(py.Str); ok {
		for _, a := range airports {
			if string(s) == a {
				return true
			}
		}
		return false
	}
	in, _ := py.Contains(py.StrList(airports...), code)
	return in
}

// hashable is the TypeError hashing the tuple (a, b) raises, or nil.
func hashable(a, b py.Value) error {
	_, aStr := a.(py.Str)
	_, bStr := b.(py.Str)
	if aStr && bStr {
		return nil
	}
	_, err := py.HashKey(py.Tuple{a, b})
	return err
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func (tr *Travel) cardBalance(accessToken, cardID py.Value) (py.Value, error) {
	if msg := tr.tokenError(accessToken); msg != "" {
		return errDict(msg), nil
	}
	known, err := py.Contains(tr.creditCards, cardID)
	if err != nil {
		return nil, err
	}
	if !known {
		d, ok := tr.creditCards.(*py.Dict)
		if !ok {
			return nil, py.AttributeError(tr.creditCards, "keys")
		}
		return errDict("Card not registered. Here are a list of card_id's: " + py.Repr(py.NewList(d.Keys()...))), nil
	}
	card, err := py.Index(tr.creditCards, cardID)
	if err != nil {
		return nil, err
	}
	balance, err := py.Index(card, py.Str("balance"))
	if err != nil {
		return nil, err
	}
	return py.NewDict().With("card_balance", balance), nil
}

func bookingError(msg string) *py.Dict {
	return py.NewDict().With("booking_status", py.Bool(false)).With("error", py.Str(msg))
}

func (tr *Travel) bookFlight(accessToken, cardID, date, from, to, class py.Value) (py.Value, error) {
	if msg := tr.tokenError(accessToken); msg != "" {
		return bookingError(msg), nil
	}
	card, known, err := lookup(tr.creditCards, cardID)
	if err != nil {
		return nil, err
	}
	if !known {
		return bookingError("Card not registered"), nil
	}
	hasBalance, err := py.Contains(card, py.Str("balance"))
	if err != nil {
		return nil, err
	}
	if !hasBalance {
		return bookingError("Balance not found"), nil
	}
	if !isAirport(from) {
		return bookingError("Invalid departure airport code: " + py.StrOf(from)), nil
	}
	if !isAirport(to) {
		return bookingError("Invalid destination airport code: " + py.StrOf(to)), nil
	}
	if _, err := pynum.Strptime(date, "%Y-%m-%d"); err != nil {
		if isValueError(err) {
			return bookingError("Invalid date format. Use YYYY-MM-DD."), nil
		}
		return nil, err
	}
	if _, err := py.HashKey(class); err != nil {
		return nil, err
	}
	if !py.Eq(class, py.Str("economy")) && !py.Eq(class, py.Str("business")) && !py.Eq(class, py.Str("first")) {
		// Upstream prints a set here, in hash order; this is one fixed order.
		return bookingError("Invalid travel class. Must be one of {'economy', 'business', 'first'}"), nil
	}
	cost, res, err := tr.cachedCost(from, to, date, class)
	if res != nil || err != nil {
		return res, err
	}
	return tr.charge(cardID, card, cost, date, from, to, class)
}

// cachedCost runs get_flight_cost and reads the cost back from the cache,
// turning ValueErrors into booking errors as upstream does.
func (tr *Travel) cachedCost(from, to, date, class py.Value) (py.Value, py.Value, error) {
	if _, err := tr.fillCostLookup(from, to, date, class); err != nil {
		if isValueError(err) {
			return nil, bookingError(err.Error()), nil
		}
		return nil, nil, err
	}
	cost, ok := tr.flightCostLookup.get(lookupKey(from, to, class, date))
	if !ok {
		return nil, bookingError("No available route for the given parameters"), nil
	}
	return cost, nil, nil
}

func (tr *Travel) charge(cardID, card, cost, date, from, to, class py.Value) (py.Value, error) {
	balance, err := py.Index(card, py.Str("balance"))
	if err != nil {
		return nil, err
	}
	short, err := py.Less(balance, cost)
	if err != nil {
		return nil, err
	}
	if short {
		return bookingError("Insufficient funds"), nil
	}
	if !py.IsNone(tr.budget) {
		under, err := py.Less(balance, tr.budget)
		if err != nil {
			return nil, err
		}
		if under {
			return bookingError("Balance is less than budget limit"), nil
		}
	}
	nb, err := py.Sub(balance, cost)
	if err != nil {
		return nil, err
	}
	if err := setItem(card, py.Str("balance"), nb); err != nil {
		return nil, err
	}
	bookingID := tr.randomID(1000000, 9999999)
	transactionID := tr.randomID(10000000, 99999999)
	record := py.NewDict().With("card_id", cardID).With("travel_date", date).With("travel_from", from).
		With("travel_to", to).With("travel_class", class).With("travel_cost", cost).
		With("transaction_id", transactionID)
	if err := setItem(tr.bookings, bookingID, record); err != nil {
		return nil, err
	}
	var history py.Value = py.NewDict()
	if tr.longContext {
		history = tr.bookings
	}
	return py.NewDict().With("booking_id", bookingID).With("transaction_id", transactionID).
		With("booking_status", py.Bool(true)).With("booking_history", history), nil
}

func isValueError(err error) bool {
	e, ok := err.(*py.Exception)
	return ok && e.Kind == "ValueError"
}

func (tr *Travel) retrieveInvoice(accessToken, bookingID py.Value) (py.Value, error) {
	if msg := tr.tokenError(accessToken); msg != "" {
		return errDict(msg), nil
	}
	known, err := py.Contains(tr.bookings, bookingID)
	if err != nil {
		return nil, err
	}
	if !known {
		return errDict("Booking not found"), nil
	}
	invoice := py.NewDict().With("booking_id", bookingID)
	for _, k := range []string{"travel_date", "travel_from", "travel_to", "travel_class", "travel_cost", "transaction_id"} {
		rec, err := py.Index(tr.bookings, bookingID)
		if err != nil {
			return nil, err
		}
		v, err := py.Index(rec, py.Str(k))
		if err != nil {
			return nil, err
		}
		invoice.SetStr(k, v)
	}
	return py.NewDict().With("invoice", invoice), nil
}

func (tr *Travel) bookingHistory(accessToken py.Value) (py.Value, error) {
	if msg := tr.tokenError(accessToken); msg != "" {
		return errDict(msg), nil
	}
	return py.NewDict().With("booking_history", py.DeepCopy(tr.bookings)), nil
}

func cancelError(msg string) *py.Dict {
	return py.NewDict().With("cancel_status", py.Bool(false)).With("error", py.Str(msg))
}

func (tr *Travel) cancelBooking(accessToken, bookingID py.Value) (py.Value, error) {
	if msg := tr.tokenError(accessToken); msg != "" {
		return cancelError(msg), nil
	}
	rec, known, err := lookup(tr.bookings, bookingID)
	if err != nil {
		return nil, err
	}
	if !known {
		return cancelError("Booking not found"), nil
	}
	cardID, err := py.Index(rec, py.Str("card_id"))
	if err != nil {
		return nil, err
	}
	cost, err := py.Index(rec, py.Str("travel_cost"))
	if err != nil {
		return nil, err
	}
	card, err := py.Index(tr.creditCards, cardID)
	if err != nil {
		return nil, err
	}
	balance, err := py.Index(card, py.Str("balance"))
	if err != nil {
		return nil, err
	}
	nb, err := py.Add(balance, cost)
	if err != nil {
		return nil, err
	}
	if err := setItem(card, py.Str("balance"), nb); err != nil {
		return nil, err
	}
	bookings, ok := tr.bookings.(*py.Dict)
	if !ok {
		return nil, py.TypeErrorf("'%s' object doesn't support item deletion", tr.bookings.TypeName())
	}
	if _, _, err := bookings.Pop(bookingID); err != nil {
		return nil, err
	}
	return py.NewDict().With("cancel_status", py.Bool(true)), nil
}

func exchange(base, target, value py.Value) (py.Value, error) {
	for _, r := range exchangeRates {
		if py.EqStr(base, r.from) && py.EqStr(target, r.to) {
			v, err := py.Mul(value, r.rate)
			if err != nil {
				return nil, err
			}
			f, err := pynum.ToFloat(v)
			if err != nil {
				return nil, err
			}
			return py.NewDict().With("exchanged_value", f), nil
		}
		if py.EqStr(base, r.to) && py.EqStr(target, r.from) {
			v, err := py.TrueDiv(value, r.rate)
			if err != nil {
				return nil, err
			}
			rounded, err := pynum.RoundValue(v, py.Int(2))
			if err != nil {
				return nil, err
			}
			return py.NewDict().With("exchanged_value", rounded), nil
		}
	}
	return nil, py.ValueErrorf("No available exchange rate for the given currencies.")
}

func verifyError(msg string) *py.Dict {
	return py.NewDict().With("verification_status", py.Bool(false)).With("verification_failure", py.Str(msg))
}

func (tr *Travel) verifyTraveler(first, last, birth, passport py.Value) (py.Value, error) {
	if !py.Eq(tr.userFirstName, first) || !py.Eq(tr.userLastName, last) {
		return verifyError("Cannot book flight information for another user." +
			"Expected " + py.StrOf(tr.userFirstName) + " " + py.StrOf(tr.userLastName) +
			", got " + py.StrOf(first) + " " + py.StrOf(last)), nil
	}
	born, err := pynum.Strptime(birth, "%Y-%m-%d")
	if err != nil {
		if isValueError(err) {
			return verifyError("Invalid date of birth format. Please use YYYY-MM-DD."), nil
		}
		return nil, err
	}
	today := time.Now()
	age := today.Year() - born.Year()
	if today.Month() < born.Month() || (today.Month() == born.Month() && today.Day() < born.Day()) {
		age--
	}
	if age < 18 {
		return verifyError("Traveler must be at least 18 years old."), nil
	}
	p, ok := passport.(py.Str)
	if !ok {
		return nil, py.AttributeError(passport, "startswith")
	}
	if len(p) < 2 || p[:2] != "US" {
		return verifyError("Passport must be issued by the United States."), nil
	}
	return py.NewDict().With("verification_status", py.Bool(true)), nil
}

func (tr *Travel) setBudget(accessToken, limit py.Value) (py.Value, error) {
	if msg := tr.tokenError(accessToken); msg != "" {
		return errDict(msg), nil
	}
	f, err := pynum.ToFloat(limit)
	if err != nil {
		return nil, err
	}
	tr.budget = f
	return py.NewDict().With("budget_limit", f), nil
}

func nearestAirport(location py.Value) (py.Value, error) {
	if _, err := py.HashKey(location); err != nil {
		return nil, err
	}
	for _, c := range cityAirports {
		if py.EqStr(location, c.city) {
			return py.NewDict().With("nearest_airport", py.Str(c.code)), nil
		}
	}
	return py.NewDict().With("nearest_airport", py.Str("Unknown")), nil
}

func insuranceError(msg string) *py.Dict {
	return py.NewDict().With("insurance_status", py.Bool(false)).With("error", py.Str(msg))
}

func (tr *Travel) purchaseInsurance(accessToken, bookingID, cost, cardID py.Value) (py.Value, error) {
	if msg := tr.tokenError(accessToken); msg != "" {
		return insuranceError(msg), nil
	}
	if !py.IsNone(tr.budget) {
		over, err := py.Less(tr.budget, cost)
		if err != nil {
			return nil, err
		}
		if over {
			return insuranceError("Exceeded budget limit"), nil
		}
	}
	known, err := py.Contains(tr.bookings, bookingID)
	if err != nil {
		return nil, err
	}
	if !known {
		return insuranceError("Booking not found"), nil
	}
	card, known, err := lookup(tr.creditCards, cardID)
	if err != nil {
		return nil, err
	}
	if !known {
		return insuranceError("Credit card not registered"), nil
	}
	balance, err := py.Index(card, py.Str("balance"))
	if err != nil {
		return nil, err
	}
	nb, err := py.Sub(balance, cost)
	if err != nil {
		return nil, err
	}
	if err := setItem(card, py.Str("balance"), nb); err != nil {
		return nil, err
	}
	return py.NewDict().With("insurance_id", tr.randomID(100000000, 999999999)).
		With("insurance_status", py.Bool(true)), nil
}

func (tr *Travel) contactSupport(bookingID py.Value) (py.Value, error) {
	known, err := py.Contains(tr.bookings, bookingID)
	if err != nil {
		return nil, err
	}
	if !known {
		return errDict("Booking not found"), nil
	}
	return py.NewDict().With("customer_support_message", py.Str("Thank you for contacting customer support. "+
		"Your message has been received and we will get back to you shortly.")), nil
}

// lookup is `key in d` followed, when it holds, by d[key]: the upstream
// methods check a key before they read it.
func lookup(d, key py.Value) (v py.Value, found bool, err error) {
	if found, err = py.Contains(d, key); err != nil || !found {
		return nil, found, err
	}
	v, err = py.Index(d, key)
	return v, true, err
}
