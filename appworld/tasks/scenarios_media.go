package tasks

import (
	"strings"

	"github.com/seeupo/seeupo/appworld/world"
)

// The spotify scenarios (train, dev, test_normal) and the gmail scenarios
// (test_challenge only: an app no other split uses, as in AppWorld's
// challenge split). The artists, albums and e-mails each set-up adds carry
// names the generated world does not use, and the people whose e-mails a
// gmail task is about are new to the world, so the expected values come
// from the set-up alone.

// newArtist adds a scenario's own artist with one album of n songs.
func newArtist(s *Setup, name, album string, n int) (int64, []int64) {
	titles := make([]string, n)
	for i := range titles {
		titles[i] = f("%s Part %d", strings.Fields(album)[0], i+1)
	}
	return s.B.AddArtist(name, "folk", map[string][]string{album: titles}, s.At(200, 0)[:10])
}

// marksOf keeps the rows of one mark kind.
func marksOf(rs []world.Row, kind string, owner int64) ([]world.Row, bool) {
	var out []world.Row
	ok := true
	for _, r := range rs {
		ok = ok && Str(r, "kind") == kind && r["person_id"] == owner
		out = append(out, r)
	}
	return out, ok
}

func sameItems(rs []world.Row, ids []int64) bool {
	got := map[int64]bool{}
	for _, r := range rs {
		id, _ := r["item_id"].(int64)
		got[id] = true
	}
	if len(got) != len(ids) || len(rs) != len(ids) {
		return false
	}
	for _, id := range ids {
		if !got[id] {
			return false
		}
	}
	return true
}

func init() {
	add(
		&Scenario{Name: "spotify_like_artist", Split: "train", Apps: []string{"spotify"}, Difficulty: 2,
			Build: func(s *Setup) Variant {
				name := []string{"The Marigold Quartet", "Cobalt Ferns", "Juniper Static"}[s.Variant-1]
				_, songs := newArtist(s, name, []string{"Tallow Nights", "Brine Letters", "Quill Harbor"}[s.Variant-1], 3+s.Variant%2)
				want := songs
				if s.Variant == 2 {
					s.B.Mark(s.Sup, "liked_song", songs[0], s.At(5, 0))
					want = songs[1:]
				}
				return Variant{
					Instruction: f("Like every song by %s on spotify that I have not liked yet.", name),
					Solution: []string{f(`artist = [a for a in all_pages(apis.spotify.search_artists, access_token=tokens["spotify"], query=%q) if a["name"] == %q][0]
liked = {s["song_id"] for s in all_pages(apis.spotify.show_liked_songs, access_token=tokens["spotify"])}
for s in all_pages(apis.spotify.search_songs, access_token=tokens["spotify"], artist_id=artist["artist_id"]):
    if s["song_id"] not in liked:
        apis.spotify.like_song(access_token=tokens["spotify"], song_id=s["song_id"])
apis.supervisor.complete_task()`, name, name)},
					Check: func(c *Check) {
						c.OnlyTables("spotify_marks")
						rows, ok := marksOf(c.Added("spotify_marks"), "liked_song", s.Sup.ID)
						c.Require("exactly the artist's songs not yet liked are liked by the supervisor", ok && sameItems(rows, want), "added %v", rows)
					}}
			}},
		&Scenario{Name: "spotify_album_playlist", Split: "train", Apps: []string{"spotify"}, Difficulty: 2,
			Build: func(s *Setup) Variant {
				album := []string{"Saffron Weather", "Lichen Radio", "Pewter Gardens"}[s.Variant-1]
				artist := []string{"Otter Parade", "The Vesper Kilns", "Moss Cartography"}[s.Variant-1]
				_, songs := newArtist(s, artist, album, 3+s.Variant%2)
				title := []string{"Saffron all the way", "Radio days", "Garden walk"}[s.Variant-1]
				return Variant{
					Instruction: f("Create a private spotify playlist titled %q with every song of the album %q by %s, in album order.", title, album, artist),
					Solution: []string{f(`album = [a for a in all_pages(apis.spotify.search_albums, access_token=tokens["spotify"], query=%q) if a["title"] == %q][0]
pid = apis.spotify.create_playlist(access_token=tokens["spotify"], title=%q, is_public=False)["playlist_id"]
for sid in apis.spotify.show_album(access_token=tokens["spotify"], album_id=album["album_id"])["song_ids"]:
    apis.spotify.add_song_to_playlist(access_token=tokens["spotify"], playlist_id=pid, song_id=sid)
apis.supervisor.complete_task()`, album, album, title)},
					Check: func(c *Check) {
						c.OnlyTables("spotify_playlists", "spotify_playlist_songs")
						c.Count("added", "spotify_playlists", 1)
						pl := c.Added("spotify_playlists")
						c.Require("the playlist is the supervisor's, private, with the title", len(pl) == 1 && pl[0]["owner_id"] == s.Sup.ID && Str(pl[0], "title") == title && Num(pl[0], "is_public") == 0, "added %v", pl)
						got := c.Added("spotify_playlist_songs")
						ok := len(got) == len(songs) && len(pl) == 1
						for i := 0; ok && i < len(got); i++ {
							ok = got[i]["song_id"] == songs[i] && got[i]["playlist_id"] == pl[0]["id"]
						}
						c.Require("the playlist holds the album's songs in order", ok, "added %v", got)
					}}
			}},
		&Scenario{Name: "spotify_count_liked_artist", Split: "train", Apps: []string{"spotify"}, Difficulty: 1,
			Build: func(s *Setup) Variant {
				name := []string{"Harrow Lights", "The Gull Union", "Paper Comet Club"}[s.Variant-1]
				_, songs := newArtist(s, name, []string{"Fennel Skies", "Salt Choir", "Brass Orchard"}[s.Variant-1], 5)
				n := 1 + s.R.IntN(4)
				for i := range n {
					s.B.Mark(s.Sup, "liked_song", songs[i], s.At(3, i))
				}
				s.B.Mark(s.Other(0), "liked_song", songs[4], s.At(3, 9))
				return Variant{
					Instruction: f("How many songs by %s have I liked on spotify?", name),
					Solution: []string{f(`liked = all_pages(apis.spotify.show_liked_songs, access_token=tokens["spotify"])
apis.supervisor.complete_task(answer=len([s for s in liked if s["artist_name"] == %q]))`, name)},
					Check: func(c *Check) { c.NoChanges(); c.Answer(n) }}
			}},
		&Scenario{Name: "spotify_playlist_to_library", Split: "dev", Apps: []string{"spotify"}, Difficulty: 2,
			Build: func(s *Setup) Variant {
				_, songs := newArtist(s, []string{"Wren Assembly", "The Drift Cartel", "Ochre Lanterns"}[s.Variant-1], []string{"Cinder Atlas", "Velour Tides", "Moth Signals"}[s.Variant-1], 4)
				title := []string{"Evening mix", "Commute", "Rainy day"}[s.Variant-1]
				s.B.AddPlaylist(s.Sup, title, false, songs, s.At(6, 0))
				s.B.Mark(s.Sup, "library_song", songs[s.Variant], s.At(4, 0))
				var want []int64
				for i, id := range songs {
					if i != s.Variant {
						want = append(want, id)
					}
				}
				return Variant{
					Instruction: f("Add every song of my spotify playlist %q to my song library, leaving out those already in it.", title),
					Solution: []string{f(`pl = [p for p in all_pages(apis.spotify.show_playlist_library, access_token=tokens["spotify"], query=%q) if p["title"] == %q][0]
have = {s["song_id"] for s in all_pages(apis.spotify.show_song_library, access_token=tokens["spotify"])}
for s in apis.spotify.show_playlist(access_token=tokens["spotify"], playlist_id=pl["playlist_id"])["songs"]:
    if s["song_id"] not in have:
        apis.spotify.add_song_to_library(access_token=tokens["spotify"], song_id=s["song_id"])
apis.supervisor.complete_task()`, title, title)},
					Check: func(c *Check) {
						c.OnlyTables("spotify_marks")
						rows, ok := marksOf(c.Added("spotify_marks"), "library_song", s.Sup.ID)
						c.Require("exactly the playlist's songs not in the library are added to it", ok && sameItems(rows, want), "added %v", rows)
					}}
			}},
		&Scenario{Name: "spotify_prune_library", Split: "test_normal", Apps: []string{"spotify"}, Difficulty: 2,
			Build: func(s *Setup) Variant {
				name := []string{"Basalt Youth", "The Heron Static", "Clementine Engine"}[s.Variant-1]
				_, songs := newArtist(s, name, []string{"Granite Psalms", "Marsh Telegrams", "Citrus Motors"}[s.Variant-1], 4)
				_, keep := newArtist(s, name+" Tribute Band", "Covers of "+name, 2)
				var marks []int64
				for i := range 2 + s.Variant%2 {
					marks = append(marks, s.B.Mark(s.Sup, "library_song", songs[i], s.At(5, i)))
				}
				s.B.Mark(s.Sup, "library_song", keep[0], s.At(5, 9))
				s.B.Mark(s.Sup, "liked_song", songs[0], s.At(5, 8))
				return Variant{
					Instruction: f("Remove every song by %s from my spotify song library (only that artist, and keep my likes).", name),
					Solution: []string{f(`for s in all_pages(apis.spotify.show_song_library, access_token=tokens["spotify"]):
    if s["artist_name"] == %q:
        apis.spotify.remove_song_from_library(access_token=tokens["spotify"], song_id=s["song_id"])
apis.supervisor.complete_task()`, name)},
					Check: func(c *Check) {
						c.OnlyTables("spotify_marks")
						c.Require("exactly the artist's songs leave the library", SameIDs(c.Removed("spotify_marks"), marks), "removed %v", c.Removed("spotify_marks"))
						c.Count("added", "spotify_marks", 0)
					}}
			}},
		&Scenario{Name: "gmail_star_from", Split: "test_challenge", Apps: []string{"gmail"}, Difficulty: 1,
			Build: func(s *Setup) Variant {
				o := s.B.AddPerson([]string{"Ysolde", "Tamsin", "Berenike"}[s.Variant-1], "Quarrington")
				var ids []int64
				for i := range 2 + s.Variant%2 {
					ids = append(ids, s.B.AddEmail(o, []world.Person{s.Sup}, f("Update %d from %s", i+1, o.FirstName), "See attached notes.", s.At(2+i, i))...)
				}
				s.B.AddEmail(s.Other(8), []world.Person{s.Sup}, "Unrelated", "Hello.", s.At(1, 0))
				return Variant{
					Instruction: f("Star every e-mail thread in my gmail inbox that %s (%s) sent me.", o.Name(), o.Email),
					Solution: []string{f(`for t in all_pages(apis.gmail.show_inbox_threads, access_token=tokens["gmail"]):
    if t["last_sender_email"] == %q and not t["starred"]:
        apis.gmail.mark_thread_starred(access_token=tokens["gmail"], email_thread_id=t["email_thread_id"])
apis.supervisor.complete_task()`, strings.ToLower(o.Email))},
					Check: func(c *Check) {
						c.OnlyTables("gmail_threads")
						rows, only := UpdatedIDs(c.Updated("gmail_threads"), "starred")
						ok := SameIDs(rows, ids) && only
						for _, r := range rows {
							ok = ok && Num(r, "starred") == 1
						}
						c.Require("exactly the threads from that person are starred", ok, "updated %v", rows)
					}}
			}},
		&Scenario{Name: "gmail_reply_latest", Split: "test_challenge", Apps: []string{"gmail"}, Difficulty: 2,
			Build: func(s *Setup) Variant {
				o := s.B.AddPerson([]string{"Evander", "Rosalind", "Thaddeus"}[s.Variant-1], "Wickersham")
				var threads []int64
				for i := range 2 {
					threads = append(threads, s.B.AddEmail(o, []world.Person{s.Sup}, []string{"Dinner on Friday", "Carpool", "Old photos"}[s.Variant-1]+f(" (%d)", i+1), "What do you think?", s.At(4-2*i, 0))...)
				}
				s.B.AddEmail(s.Other(10), []world.Person{s.Sup}, "Newest but not from them", "Hi.", s.At(0, 1))
				reply := []string{"Got it, thanks!", "Sounds good to me.", "Count me in."}[s.Variant-1]
				latest := threads[1]
				return Variant{
					Instruction: f("Reply %q to the most recent e-mail %s (%s) sent me on gmail.", reply, o.Name(), o.Email),
					Solution: []string{f(`mine = [t for t in all_pages(apis.gmail.show_inbox_threads, access_token=tokens["gmail"]) if t["last_sender_email"] == %q]
t = max(mine, key=lambda t: (t["updated_at"], t["email_thread_id"]))
e = apis.gmail.show_thread(access_token=tokens["gmail"], email_thread_id=t["email_thread_id"])["emails"][-1]
apis.gmail.reply_to_email(access_token=tokens["gmail"], email_thread_id=t["email_thread_id"], email_id=e["email_id"], body=%q)
apis.supervisor.complete_task()`, strings.ToLower(o.Email), reply)},
					Check: func(c *Check) {
						c.OnlyTables("gmail_threads", "gmail_emails")
						es := c.Added("gmail_emails")
						c.Count("added", "gmail_emails", 2)
						ok := len(es) == 2
						for _, e := range es {
							ok = ok && Str(e, "body") == reply && Str(e, "sender_email") == strings.ToLower(s.Sup.Email) && Str(e, "recipient_emails") == strings.ToLower(o.Email)
						}
						c.Require("the reply goes from the supervisor to that person with the text", ok, "added %v", es)
						inThread := false
						for _, e := range es {
							inThread = inThread || e["thread_id"] == latest
						}
						c.Require("the reply is in the most recent thread", inThread, "added %v", es)
						ts := c.Added("gmail_threads")
						c.Require("the person gets it in a new thread copy", len(ts) == 1 && ts[0]["owner_id"] == o.ID, "added %v", ts)
					}}
			}},
		&Scenario{Name: "gmail_note_to_contact", Split: "test_challenge", Apps: []string{"simple_note", "phone", "gmail"}, Difficulty: 3,
			Build: func(s *Setup) Variant {
				o := s.Other(11)
				s.B.AddContact(s.Sup, o, "friend", s.At(30, 0))
				title := []string{"Trail directions", "Soup recipe", "Reading list"}[s.Variant-1]
				content := []string{"Left at the oak, then follow the creek.", "Lentils, carrots, cumin; simmer 40 minutes.", "Three novels and a field guide."}[s.Variant-1]
				s.B.AddNote(s.Sup, title, content, "personal", false, s.At(3, 0))
				return Variant{
					Instruction: f("E-mail the content of my note %q to my contact %s on gmail, with the note's title as the subject.", title, o.Name()),
					Solution: []string{f(`n = [n for n in all_pages(apis.simple_note.search_notes, access_token=tokens["simple_note"], query=%q) if n["title"] == %q][0]
apis.gmail.send_email(access_token=tokens["gmail"], email_addresses=[find_contact(%q)["email"]], subject=n["title"], body=n["content"])
apis.supervisor.complete_task()`, title, title, o.Name())},
					Check: func(c *Check) {
						c.OnlyTables("gmail_threads", "gmail_emails")
						c.Count("added", "gmail_threads", 2)
						es := c.Added("gmail_emails")
						ok := len(es) == 2
						for _, e := range es {
							ok = ok && Str(e, "subject") == title && Str(e, "body") == content && Str(e, "sender_email") == strings.ToLower(s.Sup.Email) && Str(e, "recipient_emails") == strings.ToLower(o.Email)
						}
						c.Require("one e-mail from the supervisor to the contact with the note's title and content", ok, "added %v", es)
					}}
			}},
	)
}

// The amazon scenarios: each set-up adds its own product type, so prices
// and ids come from the set-up.
func init() {
	add(
		&Scenario{Name: "amazon_cart_cheapest", Split: "train", Apps: []string{"amazon"}, Difficulty: 2,
			Build: func(s *Setup) Variant {
				kind := []string{"board games", "puzzles", "kites"}[s.Variant-1]
				seller := s.B.AddSeller([]string{"Meeple Works", "Jigsaw Hollow", "Updraft Co"}[s.Variant-1])
				var ids []int64
				var prices []float64
				for i := range 4 {
					price := float64(20+s.R.IntN(40)) + 0.99
					for _, p := range prices {
						if p == price {
							price += float64(i)
						}
					}
					prices = append(prices, price)
					ids = append(ids, s.B.AddProduct(f("%s no. %d", strings.ToUpper(kind[:1])+kind[1:], i+1), kind, price, seller))
				}
				best := 0
				for i, p := range prices {
					if p < prices[best] {
						best = i
					}
				}
				n := 1 + s.Variant%2
				return Variant{
					Instruction: f("Add %d of the cheapest product of the type %q to my amazon cart.", n, kind),
					Solution: []string{f(`p = apis.amazon.search_products(access_token=tokens["amazon"], product_type=%q, page_limit=1)[0]
apis.amazon.add_product_to_cart(access_token=tokens["amazon"], product_id=p["product_id"], quantity=%d)
apis.supervisor.complete_task()`, kind, n)},
					Check: func(c *Check) {
						c.OnlyTables("amazon_cart_items")
						a := c.Added("amazon_cart_items")
						c.Require("the cheapest product is in the supervisor's cart in that quantity", len(a) == 1 && a[0]["product_id"] == ids[best] &&
							a[0]["person_id"] == s.Sup.ID && Num(a[0], "quantity") == float64(n), "added %v", a)
					}}
			}},
		&Scenario{Name: "amazon_order_cart", Split: "test_normal", Apps: []string{"amazon"}, Difficulty: 3,
			Build: func(s *Setup) Variant {
				seller := s.B.AddSeller([]string{"Lumen Provisions", "Thimble Goods", "Cairn Outfitters"}[s.Variant-1])
				total := 0.0
				var want []int64
				s.B.ClearCart(s.Sup)
				for i := range 2 + s.Variant%2 {
					price := float64(5+7*i) + 0.5
					id := s.B.AddProduct(f("Gift item %c%d", 'A'+s.Variant, i), "gifts", price, seller)
					s.B.AddToCart(s.Sup, id, 1+i%2, false)
					total += price * float64(1+i%2)
					want = append(want, id)
				}
				return Variant{
					Instruction: "Order everything in my amazon cart, paid with my card and delivered to my Home address.",
					Solution: []string{`card = apis.amazon.show_payment_cards(access_token=tokens["amazon"])[0]
home = [a for a in apis.amazon.show_addresses(access_token=tokens["amazon"]) if a["name"] == "Home"][0]
apis.amazon.place_order(access_token=tokens["amazon"], payment_card_id=card["payment_card_id"], address_id=home["address_id"])
apis.supervisor.complete_task()`},
					Check: func(c *Check) {
						c.OnlyTables("amazon_orders", "amazon_order_items", "amazon_cart_items")
						o := c.Added("amazon_orders")
						c.Require("one order of the supervisor's with the cart's total", len(o) == 1 && o[0]["person_id"] == s.Sup.ID && abs(Num(o[0], "total")-total) < 0.005, "added %v", o)
						got := map[int64]bool{}
						for _, r := range c.Added("amazon_order_items") {
							id, _ := r["product_id"].(int64)
							got[id] = true
						}
						ok := len(got) == len(want)
						for _, id := range want {
							ok = ok && got[id]
						}
						c.Require("the order holds the cart's products", ok, "items %v", c.Added("amazon_order_items"))
						c.Require("the cart is emptied", len(c.Removed("amazon_cart_items")) == len(want), "removed %v", c.Removed("amazon_cart_items"))
					}}
			}},
	)
}
