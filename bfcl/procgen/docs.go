package procgen

import "encoding/json"

// param documents one argument.
type param struct {
	Name, Type, Desc string
	Required         bool
}

// funcDoc documents one backend method in BFCL's schema dialect. The
// descriptions are this project's own, written for the generated tasks, so
// a suite of generated tasks needs no downloaded data.
type funcDoc struct {
	Class, Name, Desc string
	Params            []param
}

// labOnly are the functions only the lab family's tasks call: they are
// documented for that family alone, so the other families' prompts stay
// as they were.
var labOnly = map[string]bool{"GorillaFileSystem.cp": true, "TicketAPI.get_ticket": true, "MessageAPI.view_messages_sent": true}

var funcDocs = []funcDoc{
	{"GorillaFileSystem", "ls", "List the entries of the current directory.", []param{{"a", "boolean", "Also list hidden entries.", false}}},
	{"GorillaFileSystem", "cd", "Change the current directory to a sub-directory or '..'.", []param{{"folder", "string", "Directory to enter.", true}}},
	{"GorillaFileSystem", "mkdir", "Create a directory in the current directory.", []param{{"dir_name", "string", "Name of the new directory.", true}}},
	{"GorillaFileSystem", "touch", "Create an empty file in the current directory.", []param{{"file_name", "string", "Name of the new file.", true}}},
	{"GorillaFileSystem", "echo", "Write text to a file (created if missing), or return it when no file is given.",
		[]param{{"content", "string", "Text to write.", true}, {"file_name", "string", "File to write to.", false}}},
	{"GorillaFileSystem", "cat", "Return the contents of a file.", []param{{"file_name", "string", "File to read.", true}}},
	{"GorillaFileSystem", "wc", "Count the lines (l), words (w) or characters (c) of a file.",
		[]param{{"file_name", "string", "File to count.", true}, {"mode", "string", "One of l, w or c.", false}}},
	{"GorillaFileSystem", "mv", "Move or rename a file or directory.",
		[]param{{"source", "string", "Entry to move.", true}, {"destination", "string", "New name or target directory.", true}}},
	{"GorillaFileSystem", "cp", "Copy a file or directory.",
		[]param{{"source", "string", "Entry to copy.", true}, {"destination", "string", "New name or target directory.", true}}},
	{"MathAPI", "add", "Return a + b.", []param{{"a", "float", "First number.", true}, {"b", "float", "Second number.", true}}},
	{"MathAPI", "subtract", "Return a - b.", []param{{"a", "float", "Number to subtract from.", true}, {"b", "float", "Number to subtract.", true}}},
	{"MathAPI", "multiply", "Return a * b.", []param{{"a", "float", "First factor.", true}, {"b", "float", "Second factor.", true}}},
	{"MathAPI", "max_value", "Return the largest number of a list.", []param{{"numbers", "array", "The numbers.", true}}},
	{"MathAPI", "mean", "Return the arithmetic mean of a list.", []param{{"numbers", "array", "The numbers.", true}}},
	{"VehicleControlAPI", "setHeadlights", "Set the headlights mode.", []param{{"mode", "string", "One of on, off, auto.", true}}},
	{"VehicleControlAPI", "set_navigation", "Start navigating to an address.", []param{{"destination", "string", "The address.", true}}},
	{"VehicleControlAPI", "lockDoors", "Lock or unlock doors.",
		[]param{{"unlock", "boolean", "True to unlock, False to lock.", true}, {"door", "array", "Doors: driver, passenger, rear_left, rear_right.", true}}},
	{"VehicleControlAPI", "fillFuelTank", "Add fuel to the tank, in gallons.", []param{{"fuelAmount", "float", "Gallons to add.", true}}},
	{"TwitterAPI", "post_tweet", "Post a tweet as the signed-in user.",
		[]param{{"content", "string", "Text of the tweet.", true}, {"tags", "array", "Hashtags.", false}, {"mentions", "array", "Mentioned users.", false}}},
	{"TwitterAPI", "follow_user", "Follow another user.", []param{{"username_to_follow", "string", "User to follow.", true}}},
	{"TwitterAPI", "retweet", "Retweet a tweet by id.", []param{{"tweet_id", "integer", "Id of the tweet.", true}}},
	{"TicketAPI", "create_ticket", "Open a support ticket.",
		[]param{{"title", "string", "Title.", true}, {"description", "string", "Details.", false}, {"priority", "integer", "1 (low) to 5 (high).", false}}},
	{"TicketAPI", "close_ticket", "Close a ticket by id.", []param{{"ticket_id", "integer", "Id of the ticket.", true}}},
	{"TicketAPI", "get_ticket", "Return a ticket by id.", []param{{"ticket_id", "integer", "Id of the ticket.", true}}},
	{"MessageAPI", "send_message", "Send a message to a user id.",
		[]param{{"receiver_id", "string", "Recipient's id, e.g. USR002.", true}, {"message", "string", "Text.", true}}},
	{"MessageAPI", "get_user_id", "Look up a user's id by name.", []param{{"user", "string", "User name.", true}}},
	{"MessageAPI", "view_messages_sent", "List the messages the current user has sent.", []param{}},
	{"TradingBot", "get_stock_info", "Return price and statistics of a stock.", []param{{"symbol", "string", "Ticker symbol.", true}}},
	{"TradingBot", "add_to_watchlist", "Add a stock to the watchlist.", []param{{"stock", "string", "Ticker symbol.", true}}},
	{"TradingBot", "fund_account", "Deposit money into the trading account.", []param{{"amount", "float", "Amount in dollars.", true}}},
	{"TravelAPI", "get_nearest_airport_by_city", "Return the airport code nearest to a city.", []param{{"location", "string", "City name.", true}}},
	{"TravelAPI", "compute_exchange_rate", "Convert an amount between currencies.",
		[]param{{"base_currency", "string", "From currency code.", true}, {"target_currency", "string", "To currency code.", true}, {"value", "float", "Amount.", true}}},
	{"TravelAPI", "set_budget_limit", "Set the travel budget limit.",
		[]param{{"access_token", "string", "The user's access token.", true}, {"budget_limit", "float", "Limit in dollars.", true}}},
}

// Docs returns, per class, the JSON documentation (one object per function,
// BFCL's schema dialect) of the functions the family's tasks may use.
func Docs(family string) map[string][]json.RawMessage {
	out := map[string][]json.RawMessage{}
	for _, d := range funcDocs {
		if labOnly[d.Class+"."+d.Name] && family != "lab" {
			continue
		}
		out[d.Class] = append(out[d.Class], d.json())
	}
	return out
}

func (d funcDoc) json() json.RawMessage {
	// Properties keep their declared order, so they are encoded by hand.
	required := []string{}
	propJSON := []byte("{")
	for i, p := range d.Params {
		if i > 0 {
			propJSON = append(propJSON, ", "...)
		}
		k, _ := json.Marshal(p.Name)
		v, _ := json.Marshal(map[string]string{"type": p.Type, "description": p.Desc})
		propJSON = append(append(append(propJSON, k...), ": "...), v...)
		if p.Required {
			required = append(required, p.Name)
		}
	}
	propJSON = append(propJSON, '}')
	doc := struct {
		Name        string `json:"name"`
		Description string `json:"description"`
		Parameters  struct {
			Type       string          `json:"type"`
			Properties json.RawMessage `json:"properties"`
			Required   []string        `json:"required"`
		} `json:"parameters"`
	}{Name: d.Name, Description: d.Desc}
	doc.Parameters.Type = "dict"
	doc.Parameters.Properties = propJSON
	doc.Parameters.Required = required
	b, _ := json.Marshal(doc)
	return b
}
