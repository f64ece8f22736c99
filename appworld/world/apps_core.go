package world

import (
	"sort"
	"strings"
)

func p(name, typ, desc string) Param {
	return Param{Name: name, Type: typ, Required: true, Description: desc}
}

func opt(name, typ string, def any, desc string) Param {
	return Param{Name: name, Type: typ, Default: def, Description: desc}
}

// accountAPIs are the login, logout and show_account APIs every app with
// accounts has. Usernames are e-mail addresses, except in the phone app,
// where they are phone numbers.
func accountAPIs(app string) []*API {
	userDesc, profileKey := "Your e-mail address.", "email"
	if app == "phone" {
		userDesc, profileKey = "Your phone number.", "phone_number"
	}
	return []*API{
		{Name: "login", Method: "POST", Path: "/" + app + "/auth/token",
			Description: "Log in to your " + app + " account and get an access token for the other APIs.",
			Params:      []Param{p("username", "string", userDesc), p("password", "string", "Your account password.")},
			Success:     map[string]any{"access_token": "string", "token_type": "Bearer"},
			handler: func(c *Call) (any, error) {
				rs, err := c.rows(`SELECT person_id, password FROM accounts WHERE app=? AND username=?`, app, c.str("username"))
				if err != nil {
					return nil, err
				}
				if len(rs) == 0 || rs[0]["password"] != c.str("password") {
					return nil, failf(401, "Invalid credentials.")
				}
				return map[string]any{"access_token": c.w.login(app, rs[0]["person_id"].(int64)), "token_type": "Bearer"}, nil
			}},
		{Name: "logout", Method: "DELETE", Path: "/" + app + "/auth/token", Auth: true,
			Description: "Log out; the access token stops working.",
			Success:     map[string]any{"message": "string"},
			handler: func(c *Call) (any, error) {
				c.w.logout(c.str("access_token"))
				return map[string]any{"message": "Successfully logged out."}, nil
			}},
		{Name: "show_profile", Method: "GET", Path: "/" + app + "/profile",
			Description: "Show the public profile of a user of " + app + ".",
			Params:      []Param{p(profileKey, "string", "The user's "+strings.ReplaceAll(profileKey, "_", " ")+".")},
			Success:     map[string]any{"first_name": "string", "last_name": "string", profileKey: "string"},
			handler: func(c *Call) (any, error) {
				return c.one("User", `SELECT p.first_name, p.last_name, p.`+profileKey+` FROM people p JOIN accounts a ON a.person_id=p.id AND a.app=? WHERE lower(p.`+profileKey+`)=lower(?)`, app, c.str(profileKey))
			}},
		{Name: "show_account", Method: "GET", Path: "/" + app + "/account", Auth: true,
			Description: "Show your " + app + " account's details.",
			Success:     map[string]any{"first_name": "string", "last_name": "string", "email": "string", "phone_number": "string"},
			handler: func(c *Call) (any, error) {
				return c.one("Account", `SELECT first_name, last_name, email, phone_number FROM people WHERE id=?`, c.user)
			}},
	}
}

func init() {
	register("supervisor", "The supervisor app: the profile and account passwords of the person you work for, and the API to mark the task complete.",
		&API{Name: "show_profile", Method: "GET", Path: "/supervisor/profile",
			Description: "Show the supervisor's profile.",
			Success:     map[string]any{"first_name": "string", "last_name": "string", "email": "string", "phone_number": "string", "birthday": "string", "city": "string"},
			handler: func(c *Call) (any, error) {
				return c.one("Profile", `SELECT first_name, last_name, email, phone_number, birthday, city FROM people WHERE id=?`, c.w.supervisor)
			}},
		&API{Name: "show_account_passwords", Method: "GET", Path: "/supervisor/account_passwords",
			Description: "Show the supervisor's passwords for all apps.",
			Success:     []any{map[string]any{"account_name": "string", "password": "string"}},
			handler: func(c *Call) (any, error) {
				return c.rows(`SELECT app AS account_name, password FROM accounts WHERE person_id=? ORDER BY app`, c.w.supervisor)
			}},
		&API{Name: "show_addresses", Method: "GET", Path: "/supervisor/addresses",
			Description: "Show the supervisor's postal addresses.",
			handler: func(c *Call) (any, error) {
				return c.rows(`SELECT id AS address_id, name, street_address, city, state, country, zip_code FROM amazon_addresses WHERE person_id=? ORDER BY id`, c.w.supervisor)
			}},
		&API{Name: "show_payment_cards", Method: "GET", Path: "/supervisor/payment_cards",
			Description: "Show the supervisor's payment cards.",
			handler: func(c *Call) (any, error) {
				return c.rows(`SELECT card_name, owner_name, card_number, expiry_year, expiry_month FROM amazon_payment_cards WHERE person_id=? ORDER BY id`, c.w.supervisor)
			}},
		&API{Name: "complete_task", Method: "POST", Path: "/supervisor/complete_task",
			Description: "Mark the task complete, giving the answer when the task asks a question.",
			Params: []Param{opt("answer", "any", nil, "The answer to the task's question, if it asks one."),
				{Name: "status", Type: "string", Default: "success", Description: "Whether you succeeded or gave up.", Constraints: []string{"value in ['success', 'fail']"}}},
			Success: map[string]any{"message": "string"},
			handler: func(c *Call) (any, error) {
				st := c.str("status")
				if st != "success" && st != "fail" {
					return nil, failf(422, "status must be 'success' or 'fail'.")
				}
				if !c.w.complete(Completion{Answer: c.args["answer"], Status: st}) {
					return nil, failf(409, "The task is already marked complete.")
				}
				return map[string]any{"message": "Marked the active task complete."}, nil
			}},
	)
	register("api_docs", "The API documentation: descriptions of the apps, their APIs and each API's parameters.",
		&API{Name: "show_app_descriptions", Method: "GET", Path: "/api_docs/app_descriptions",
			Description: "List the apps with a short description of each.",
			Success:     []any{map[string]any{"name": "string", "description": "string"}},
			handler: func(c *Call) (any, error) {
				var out []map[string]any
				for _, a := range Apps() {
					out = append(out, map[string]any{"name": a.Name, "description": a.Description})
				}
				return out, nil
			}},
		&API{Name: "show_api_descriptions", Method: "GET", Path: "/api_docs/api_descriptions",
			Description: "List an app's APIs with a short description of each.",
			Params:      []Param{p("app_name", "string", "The app's name.")},
			Success:     []any{map[string]any{"name": "string", "description": "string"}},
			handler: func(c *Call) (any, error) {
				info, ok := apps[c.str("app_name")]
				if !ok {
					return nil, notFound("App " + c.str("app_name"))
				}
				var out []map[string]any
				for _, a := range info.APIs {
					out = append(out, map[string]any{"name": a.Name, "description": a.Description})
				}
				return out, nil
			}},
		&API{Name: "show_api_doc", Method: "GET", Path: "/api_docs/api_doc",
			Description: "Show an API's full documentation: path, method, parameters and response schemas.",
			Params:      []Param{p("app_name", "string", "The app's name."), p("api_name", "string", "The API's name.")},
			Success:     map[string]any{"app_name": "string", "api_name": "string", "path": "string", "method": "string", "description": "string", "parameters": "list", "response_schemas": "object"},
			handler: func(c *Call) (any, error) {
				a, ok := LookupAPI(c.str("app_name"), c.str("api_name"))
				if !ok {
					return nil, notFound("API " + c.str("app_name") + "." + c.str("api_name"))
				}
				return a.Doc(), nil
			}},
		&API{Name: "search_api_docs", Method: "GET", Path: "/api_docs/search",
			Description: "Search the API documentation by keywords; the best matches come first.",
			Params:      append([]Param{p("query", "string", "Keywords to look for.")}, paging()...),
			Success:     []any{map[string]any{"app_name": "string", "api_name": "string", "description": "string"}},
			handler: func(c *Call) (any, error) {
				return searchDocs(c, c.str("query")), nil
			},
		},
	)
}

// Doc is the API's documentation entry in AppWorld's format.
func (a *API) Doc() map[string]any {
	params := make([]map[string]any, 0, len(a.Params))
	for _, p := range a.Params {
		cons := p.Constraints
		if cons == nil {
			cons = []string{}
		}
		params = append(params, map[string]any{"name": p.Name, "type": p.Type, "required": p.Required,
			"description": p.Description, "default": p.Default, "constraints": cons})
	}
	return map[string]any{"app_name": a.App, "api_name": a.Name, "path": a.Path, "method": a.Method,
		"description": a.Description, "parameters": params,
		"response_schemas": map[string]any{"success": a.Success, "failure": map[string]any{"message": "string"}}}
}

func searchDocs(c *Call, query string) []map[string]any {
	words := strings.Fields(strings.ToLower(query))
	type hit struct {
		a     *API
		score int
	}
	var hits []hit
	for _, info := range Apps() {
		for _, a := range info.APIs {
			text := strings.ToLower(a.App + " " + strings.ReplaceAll(a.Name, "_", " ") + " " + a.Description)
			s := 0
			for _, w := range words {
				s += strings.Count(text, w)
			}
			if s > 0 {
				hits = append(hits, hit{a, s})
			}
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].score > hits[j].score })
	rs := make([]Row, len(hits))
	for i, h := range hits {
		rs[i] = Row{"app_name": h.a.App, "api_name": h.a.Name, "description": h.a.Description}
	}
	out := []map[string]any{}
	for _, r := range c.page(rs) {
		out = append(out, r)
	}
	return out
}
