package world

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// amazonSchema holds the shop's tables: sellers and products (shared),
// and each person's cart, wish list, addresses, payment cards, orders and
// reviews.
const amazonSchema = `
CREATE TABLE amazon_sellers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, rating REAL NOT NULL);
CREATE TABLE amazon_products (id INTEGER PRIMARY KEY, name TEXT NOT NULL, product_type TEXT NOT NULL,
  price REAL NOT NULL, seller_id INTEGER NOT NULL, description TEXT NOT NULL);
CREATE TABLE amazon_cart_items (id INTEGER PRIMARY KEY, person_id INTEGER NOT NULL, product_id INTEGER NOT NULL,
  quantity INTEGER NOT NULL, UNIQUE(person_id, product_id));
CREATE TABLE amazon_wish_list_items (id INTEGER PRIMARY KEY, person_id INTEGER NOT NULL, product_id INTEGER NOT NULL,
  quantity INTEGER NOT NULL, UNIQUE(person_id, product_id));
CREATE TABLE amazon_addresses (id INTEGER PRIMARY KEY, person_id INTEGER NOT NULL, name TEXT NOT NULL,
  street_address TEXT NOT NULL, city TEXT NOT NULL, state TEXT NOT NULL, country TEXT NOT NULL, zip_code INTEGER NOT NULL);
CREATE TABLE amazon_payment_cards (id INTEGER PRIMARY KEY, person_id INTEGER NOT NULL, card_name TEXT NOT NULL,
  owner_name TEXT NOT NULL, card_number INTEGER NOT NULL, expiry_year INTEGER NOT NULL, expiry_month INTEGER NOT NULL);
CREATE TABLE amazon_orders (id INTEGER PRIMARY KEY, person_id INTEGER NOT NULL, address_id INTEGER NOT NULL,
  payment_card_id INTEGER NOT NULL, total REAL NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE amazon_order_items (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL, product_id INTEGER NOT NULL,
  quantity INTEGER NOT NULL, price REAL NOT NULL);
CREATE TABLE amazon_reviews (id INTEGER PRIMARY KEY, product_id INTEGER NOT NULL, person_id INTEGER NOT NULL,
  rating INTEGER NOT NULL, title TEXT NOT NULL, text TEXT NOT NULL, created_at TEXT NOT NULL);
`

const (
	productCols = `pr.id AS product_id, pr.name, pr.product_type, pr.price, pr.seller_id, se.name AS seller_name, pr.description,
	COALESCE((SELECT ROUND(AVG(rating), 2) FROM amazon_reviews WHERE product_id=pr.id), 0) AS rating`
	productFrom = ` FROM amazon_products pr JOIN amazon_sellers se ON se.id=pr.seller_id`
)

// basket is the cart or the wish list.
type basket struct{ table, what, clearName string }

var (
	cart     = basket{"amazon_cart_items", "cart", "clear_cart"}
	wishList = basket{"amazon_wish_list_items", "wish list", "clear_wish_list"}
)

func (c *Call) product(id int64) (Row, error) {
	return c.one("Product", `SELECT `+productCols+productFrom+` WHERE pr.id=?`, id)
}

func (c *Call) showBasket(b basket) (any, error) {
	rs, err := c.rows(`SELECT i.product_id, pr.name, pr.price, i.quantity FROM `+b.table+` i JOIN amazon_products pr ON pr.id=i.product_id WHERE i.person_id=? ORDER BY i.id`, c.user)
	total := 0.0
	for _, r := range rs {
		total += toFloat(r["price"]) * toFloat(r["quantity"])
	}
	return map[string]any{"items": rs, "total": round2(total)}, err
}

// addToBasket adds quantity of a product, on top of what is there.
func (c *Call) addToBasket(b basket, product, quantity int64) error {
	if quantity < 1 {
		return failf(422, "quantity must be >= 1.")
	}
	if _, err := c.product(product); err != nil {
		return err
	}
	_, err := c.exec(`INSERT INTO `+b.table+`(person_id, product_id, quantity) VALUES(?,?,?) ON CONFLICT(person_id, product_id) DO UPDATE SET quantity=quantity+excluded.quantity`, c.user, product, quantity)
	return err
}

// takeFromBasket removes quantity (all when 0) of a product.
func (c *Call) takeFromBasket(b basket, product, quantity int64) (int64, error) {
	r, err := c.one("Product in your "+b.what, `SELECT id, quantity FROM `+b.table+` WHERE person_id=? AND product_id=?`, c.user, product)
	if err != nil {
		return 0, err
	}
	have := r["quantity"].(int64)
	if quantity == 0 || quantity >= have {
		_, err = c.exec(`DELETE FROM `+b.table+` WHERE id=?`, r["id"])
		return have, err
	}
	_, err = c.exec(`UPDATE `+b.table+` SET quantity=? WHERE id=?`, have-quantity, r["id"])
	return quantity, err
}

func basketAPIs(b basket, other basket) []*API {
	pid := p("product_id", "integer", "The product's id.")
	name := strings.ReplaceAll(b.what, " ", "_")
	path := "/amazon/" + name
	return []*API{
		{Name: "show_" + name, Method: "GET", Path: path, Auth: true, Description: "Show your " + b.what + " with its total.",
			Success: map[string]any{"items": []any{map[string]any{"product_id": 1, "name": "string", "price": 1.0, "quantity": 1}}, "total": 1.0},
			handler: func(c *Call) (any, error) { return c.showBasket(b) }},
		{Name: "add_product_to_" + name, Method: "POST", Path: path, Auth: true, Description: "Add a product to your " + b.what + ".",
			Params: []Param{pid, opt("quantity", "integer", int64(1), "How many.")},
			handler: func(c *Call) (any, error) {
				return map[string]any{"message": "Product added to your " + b.what + "."}, c.addToBasket(b, c.int("product_id"), c.int("quantity"))
			}},
		{Name: "update_product_quantity_in_" + name, Method: "PATCH", Path: path, Auth: true, Description: "Set how many of a product your " + b.what + " holds.",
			Params: []Param{pid, p("quantity", "integer", "The new quantity, >= 1.")},
			handler: func(c *Call) (any, error) {
				if c.int("quantity") < 1 {
					return nil, failf(422, "quantity must be >= 1.")
				}
				res, err := c.exec(`UPDATE `+b.table+` SET quantity=? WHERE person_id=? AND product_id=?`, c.int("quantity"), c.user, c.int("product_id"))
				if n, _ := res.RowsAffected(); err == nil && n == 0 {
					return nil, notFound("Product in your " + b.what)
				}
				return map[string]any{"message": "Quantity updated."}, err
			}},
		{Name: "delete_product_from_" + name, Method: "DELETE", Path: path, Auth: true, Description: "Remove a product from your " + b.what + ".",
			Params: []Param{pid},
			handler: func(c *Call) (any, error) {
				_, err := c.takeFromBasket(b, c.int("product_id"), 0)
				return map[string]any{"message": "Product removed from your " + b.what + "."}, err
			}},
		{Name: b.clearName, Method: "DELETE", Path: path + "/all", Auth: true, Description: "Empty your " + b.what + ".",
			handler: func(c *Call) (any, error) {
				_, err := c.exec(`DELETE FROM `+b.table+` WHERE person_id=?`, c.user)
				return map[string]any{"message": "Your " + b.what + " is empty."}, err
			}},
		{Name: "move_product_from_" + name + "_to_" + strings.ReplaceAll(other.what, " ", "_"), Method: "POST", Path: path + "/move", Auth: true,
			Description: "Move a product (all of it unless a quantity is given) from your " + b.what + " to your " + other.what + ".",
			Params:      []Param{pid, opt("quantity", "integer", nil, "How many; all by default.")},
			handler: func(c *Call) (any, error) {
				n, err := c.takeFromBasket(b, c.int("product_id"), c.int("quantity"))
				if err != nil {
					return nil, err
				}
				return map[string]any{"message": "Product moved."}, c.addToBasket(other, c.int("product_id"), n)
			}},
	}
}

func init() {
	list := append(accountAPIs("amazon"),
		&API{Name: "show_product", Method: "GET", Path: "/amazon/products/{product_id}", Auth: true,
			Description: "Show a product.", Params: []Param{p("product_id", "integer", "The product's id.")},
			handler: func(c *Call) (any, error) { return c.product(c.int("product_id")) }},
		&API{Name: "search_products", Method: "GET", Path: "/amazon/products", Auth: true,
			Description: "Search the products by name or description, optionally by type, price range or seller; cheapest first.",
			Params: append([]Param{opt("query", "string", "", "Text to match."), opt("product_type", "string", nil, "Only this type."),
				opt("min_price", "number", float64(0), "Lowest price."), opt("max_price", "number", float64(1e9), "Highest price."),
				opt("seller_id", "integer", nil, "Only this seller's products.")}, paging()...),
			handler: func(c *Call) (any, error) {
				q := `SELECT ` + productCols + productFrom + ` WHERE (lower(pr.name) LIKE ? OR lower(pr.description) LIKE ?) AND pr.price>=? AND pr.price<=?`
				args := []any{like(c.str("query")), like(c.str("query")), c.num("min_price"), c.num("max_price")}
				if c.has("product_type") {
					q += ` AND lower(pr.product_type)=lower(?)`
					args = append(args, c.str("product_type"))
				}
				if c.has("seller_id") {
					q += ` AND pr.seller_id=?`
					args = append(args, c.int("seller_id"))
				}
				rs, err := c.rows(q+` ORDER BY pr.price, pr.id`, args...)
				return c.page(rs), err
			}},
		&API{Name: "search_product_types", Method: "GET", Path: "/amazon/product_types", Auth: true,
			Description: "List the product types, optionally those containing the query.",
			Params:      append([]Param{opt("query", "string", "", "Text to match.")}, paging()...), Success: []any{"string"},
			handler: func(c *Call) (any, error) {
				rs, err := c.rows(`SELECT DISTINCT product_type FROM amazon_products WHERE lower(product_type) LIKE ? ORDER BY product_type`, like(c.str("query")))
				out := []string{}
				for _, r := range c.page(rs) {
					out = append(out, r["product_type"].(string))
				}
				return out, err
			}},
		&API{Name: "search_sellers", Method: "GET", Path: "/amazon/sellers", Auth: true,
			Description: "Search the sellers by name.", Params: append([]Param{opt("query", "string", "", "Text to match.")}, paging()...),
			handler: func(c *Call) (any, error) {
				rs, err := c.rows(`SELECT id AS seller_id, name, rating FROM amazon_sellers WHERE lower(name) LIKE ? ORDER BY id`, like(c.str("query")))
				return c.page(rs), err
			}},
		&API{Name: "show_seller", Method: "GET", Path: "/amazon/sellers/{seller_id}", Auth: true,
			Description: "Show a seller.", Params: []Param{p("seller_id", "integer", "The seller's id.")},
			handler: func(c *Call) (any, error) {
				return c.one("Seller", `SELECT id AS seller_id, name, rating FROM amazon_sellers WHERE id=?`, c.int("seller_id"))
			}},
	)
	list = append(list, basketAPIs(cart, wishList)...)
	list = append(list, basketAPIs(wishList, cart)...)
	list = append(list,
		&API{Name: "show_addresses", Method: "GET", Path: "/amazon/addresses", Auth: true, Description: "List your addresses.",
			handler: func(c *Call) (any, error) {
				return c.rows(`SELECT id AS address_id, name, street_address, city, state, country, zip_code FROM amazon_addresses WHERE person_id=? ORDER BY id`, c.user)
			}},
		&API{Name: "add_address", Method: "POST", Path: "/amazon/addresses", Auth: true, Description: "Add an address.",
			Params: []Param{p("name", "string", "A name for it (Home, Work, ...)."), p("street_address", "string", "Street and number."), p("city", "string", "City."),
				p("state", "string", "State."), p("country", "string", "Country."), p("zip_code", "integer", "ZIP code.")},
			Success: map[string]any{"message": "string", "address_id": 1},
			handler: func(c *Call) (any, error) {
				id, err := c.insert(`INSERT INTO amazon_addresses(person_id, name, street_address, city, state, country, zip_code) VALUES(?,?,?,?,?,?,?)`,
					c.user, c.str("name"), c.str("street_address"), c.str("city"), c.str("state"), c.str("country"), c.int("zip_code"))
				return map[string]any{"message": "Address added.", "address_id": id}, err
			}},
		&API{Name: "delete_address", Method: "DELETE", Path: "/amazon/addresses/{address_id}", Auth: true, Description: "Delete an address.",
			Params: []Param{p("address_id", "integer", "The address's id.")},
			handler: func(c *Call) (any, error) {
				res, err := c.exec(`DELETE FROM amazon_addresses WHERE id=? AND person_id=?`, c.int("address_id"), c.user)
				if n, _ := res.RowsAffected(); err == nil && n == 0 {
					return nil, notFound("Address")
				}
				return map[string]any{"message": "Address deleted."}, err
			}},
		&API{Name: "show_payment_cards", Method: "GET", Path: "/amazon/payment_cards", Auth: true, Description: "List your payment cards.",
			handler: func(c *Call) (any, error) {
				return c.rows(`SELECT id AS payment_card_id, card_name, owner_name, card_number % 10000 AS last_four_digits, expiry_year, expiry_month FROM amazon_payment_cards WHERE person_id=? ORDER BY id`, c.user)
			}},
		&API{Name: "show_payment_card", Method: "GET", Path: "/amazon/payment_cards/{payment_card_id}", Auth: true, Description: "Show a payment card.",
			Params: []Param{p("payment_card_id", "integer", "The card's id.")},
			handler: func(c *Call) (any, error) {
				return c.one("Payment card", `SELECT id AS payment_card_id, card_name, owner_name, card_number % 10000 AS last_four_digits, expiry_year, expiry_month FROM amazon_payment_cards WHERE id=? AND person_id=?`, c.int("payment_card_id"), c.user)
			}},
		&API{Name: "place_order", Method: "POST", Path: "/amazon/orders", Auth: true,
			Description: "Order everything in your cart, paid with one of your cards and delivered to one of your addresses; the cart is emptied.",
			Params:      []Param{p("payment_card_id", "integer", "The card's id."), p("address_id", "integer", "The address's id.")},
			Success:     map[string]any{"message": "string", "order_id": 1},
			handler: func(c *Call) (any, error) {
				if _, err := c.one("Payment card", `SELECT id FROM amazon_payment_cards WHERE id=? AND person_id=?`, c.int("payment_card_id"), c.user); err != nil {
					return nil, err
				}
				if _, err := c.one("Address", `SELECT id FROM amazon_addresses WHERE id=? AND person_id=?`, c.int("address_id"), c.user); err != nil {
					return nil, err
				}
				items, err := c.rows(`SELECT i.product_id, i.quantity, pr.price FROM amazon_cart_items i JOIN amazon_products pr ON pr.id=i.product_id WHERE i.person_id=? ORDER BY i.id`, c.user)
				if err != nil {
					return nil, err
				}
				if len(items) == 0 {
					return nil, failf(422, "Your cart is empty.")
				}
				total := 0.0
				for _, it := range items {
					total += toFloat(it["price"]) * toFloat(it["quantity"])
				}
				id, err := c.insert(`INSERT INTO amazon_orders(person_id, address_id, payment_card_id, total, created_at) VALUES(?,?,?,?,?)`, c.user, c.int("address_id"), c.int("payment_card_id"), round2(total), c.now())
				if err != nil {
					return nil, err
				}
				for _, it := range items {
					if _, err := c.exec(`INSERT INTO amazon_order_items(order_id, product_id, quantity, price) VALUES(?,?,?,?)`, id, it["product_id"], it["quantity"], it["price"]); err != nil {
						return nil, err
					}
				}
				_, err = c.exec(`DELETE FROM amazon_cart_items WHERE person_id=?`, c.user)
				return map[string]any{"message": "Order placed.", "order_id": id}, err
			}},
		&API{Name: "show_orders", Method: "GET", Path: "/amazon/orders", Auth: true, Description: "List your orders, newest first.",
			Params: append([]Param{opt("query", "string", "", "Text to match in the ordered products' names.")}, paging()...),
			handler: func(c *Call) (any, error) {
				rs, err := c.rows(`SELECT o.id AS order_id, o.total, o.created_at FROM amazon_orders o WHERE o.person_id=? AND EXISTS
					(SELECT 1 FROM amazon_order_items i JOIN amazon_products pr ON pr.id=i.product_id WHERE i.order_id=o.id AND lower(pr.name) LIKE ?) ORDER BY o.created_at DESC, o.id DESC`, c.user, like(c.str("query")))
				return c.page(rs), err
			}},
		&API{Name: "show_order", Method: "GET", Path: "/amazon/orders/{order_id}", Auth: true, Description: "Show an order with its products.",
			Params: []Param{p("order_id", "integer", "The order's id.")},
			handler: func(c *Call) (any, error) {
				o, err := c.one("Order", `SELECT id AS order_id, address_id, payment_card_id, total, created_at FROM amazon_orders WHERE id=? AND person_id=?`, c.int("order_id"), c.user)
				if err != nil {
					return nil, err
				}
				o["items"], err = c.rows(`SELECT i.product_id, pr.name, i.quantity, i.price FROM amazon_order_items i JOIN amazon_products pr ON pr.id=i.product_id WHERE i.order_id=? ORDER BY i.id`, c.int("order_id"))
				return o, err
			}},
		&API{Name: "show_product_reviews", Method: "GET", Path: "/amazon/products/{product_id}/reviews", Auth: true, Description: "List a product's reviews, newest first.",
			Params: append([]Param{p("product_id", "integer", "The product's id.")}, paging()...),
			handler: func(c *Call) (any, error) {
				if _, err := c.product(c.int("product_id")); err != nil {
					return nil, err
				}
				rs, err := c.rows(`SELECT r.id AS review_id, p.email AS user_email, r.rating, r.title, r.text, r.created_at FROM amazon_reviews r JOIN people p ON p.id=r.person_id
					WHERE r.product_id=? ORDER BY r.created_at DESC, r.id DESC`, c.int("product_id"))
				return c.page(rs), err
			}},
		&API{Name: "write_product_review", Method: "POST", Path: "/amazon/products/{product_id}/reviews", Auth: true, Description: "Review a product (one review per product).",
			Params: []Param{p("product_id", "integer", "The product's id."), {Name: "rating", Type: "integer", Required: true, Description: "Stars.", Constraints: []string{"value >= 1, <= 5"}},
				opt("title", "string", "", "A title."), opt("text", "string", "", "The review.")},
			Success: map[string]any{"message": "string", "review_id": 1},
			handler: func(c *Call) (any, error) {
				if _, err := c.product(c.int("product_id")); err != nil {
					return nil, err
				}
				if c.int("rating") < 1 || c.int("rating") > 5 {
					return nil, failf(422, "rating must be between 1 and 5.")
				}
				if rs, err := c.rows(`SELECT id FROM amazon_reviews WHERE product_id=? AND person_id=?`, c.int("product_id"), c.user); err != nil || len(rs) > 0 {
					if err == nil {
						err = failf(409, "You already reviewed this product.")
					}
					return nil, err
				}
				id, err := c.insert(`INSERT INTO amazon_reviews(product_id, person_id, rating, title, text, created_at) VALUES(?,?,?,?,?,?)`, c.int("product_id"), c.user, c.int("rating"), c.str("title"), c.str("text"), c.now())
				return map[string]any{"message": "Review written.", "review_id": id}, err
			}},
	)
	register("amazon", "The amazon app: a shop of products from sellers, with your cart, wish list, addresses, payment cards, orders and reviews.", list...)
}

var (
	productTypes = map[string][]string{
		"kitchen":     {"Kettle", "Chef's knife", "Cutting board", "Coffee grinder", "Cast-iron pan"},
		"books":       {"Field guide to birds", "Atlas of rivers", "Poetry collection", "Cookbook", "Travel journal"},
		"electronics": {"Headphones", "Desk lamp", "Power bank", "Keyboard", "Webcam"},
		"outdoors":    {"Tent", "Sleeping bag", "Water bottle", "Trail shoes", "Rain jacket"},
		"home":        {"Throw blanket", "Candle set", "Picture frame", "Plant pot", "Wall clock"},
	}
	productStyles = []string{"Classic", "Compact", "Deluxe"}
	sellerNames   = []string{"Brightline Goods", "Harbor Supply", "Northwind Market", "Pine & Paper", "Quarry Lane", "Tidewater Traders"}
)

// AddProduct adds a product; it returns its id.
func (b *Builder) AddProduct(name, kind string, price float64, seller int64) int64 {
	return b.exec(`INSERT INTO amazon_products(name, product_type, price, seller_id, description) VALUES(?,?,?,?,?)`, name, kind, price, seller, "A "+strings.ToLower(name)+" for everyday use.")
}

// AddToCart puts quantity of a product in owner's cart (wish=false) or
// wish list (wish=true).
func (b *Builder) AddToCart(owner Person, product int64, quantity int, wish bool) int64 {
	table := map[bool]string{false: "amazon_cart_items", true: "amazon_wish_list_items"}[wish]
	return b.exec(`INSERT INTO `+table+`(person_id, product_id, quantity) VALUES(?,?,?)`, owner.ID, product, quantity)
}

// seedAmazon builds the shop and each person's address, card, cart and
// wish list, with its own random stream.
func (b *Builder) seedAmazon(seed uint64) {
	r := rand.New(rand.NewPCG(seed, 0xa3a2))
	var sellers, products []int64
	for i, n := range sellerNames {
		sellers = append(sellers, b.exec(`INSERT INTO amazon_sellers(name, rating) VALUES(?,?)`, n, 3.5+float64(i%4)/4))
	}
	for _, kind := range sortedKeys(productTypes) {
		for _, item := range productTypes[kind] {
			for k, style := range productStyles {
				price := float64(8+r.IntN(120)) + float64(r.IntN(100))/100 + float64(15*k)
				products = append(products, b.AddProduct(style+" "+strings.ToLower(item), kind, round2(price), sellers[r.IntN(len(sellers))]))
			}
		}
	}
	for i, p := range b.People {
		b.exec(`INSERT INTO amazon_addresses(person_id, name, street_address, city, state, country, zip_code) VALUES(?,?,?,?,?,?,?)`,
			p.ID, "Home", fmt.Sprintf("%d %s Street", 10+r.IntN(900), lastNames[(i*3)%len(lastNames)]), p.City, "Westland", "United States", 10000+r.IntN(89999))
		b.exec(`INSERT INTO amazon_payment_cards(person_id, card_name, owner_name, card_number, expiry_year, expiry_month) VALUES(?,?,?,?,?,?)`,
			p.ID, "Main card", p.Name(), 4000000000000000+int64(r.IntN(1e9)), 2028+r.IntN(3), 1+r.IntN(12))
		if i%2 == 0 {
			b.AddToCart(p, products[r.IntN(len(products))], 1+r.IntN(2), false)
		}
		b.AddToCart(p, products[r.IntN(len(products))], 1, true)
	}
}

// AddSeller adds a seller; it returns its id.
func (b *Builder) AddSeller(name string) int64 {
	return b.exec(`INSERT INTO amazon_sellers(name, rating) VALUES(?,?)`, name, 4.0)
}

// ClearCart empties owner's cart.
func (b *Builder) ClearCart(owner Person) {
	b.exec(`DELETE FROM amazon_cart_items WHERE person_id=?`, owner.ID)
}
