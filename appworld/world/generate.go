package world

import (
	"context"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Person is one simulated person.
type Person struct {
	ID                  int64
	FirstName, LastName string
	Email, Phone        string
	Birthday, City      string
	Passwords           map[string]string
}

// Name is the person's full name.
func (p Person) Name() string { return p.FirstName + " " + p.LastName }

// LaterApps are the apps added after the first six; everyone has an
// account in them too, with a password derived from the e-mail address so
// that adding them left the first apps' generated data as it was.
var LaterApps = []string{"amazon", "gmail", "spotify"}

func derivedPassword(app, email string) string {
	const letters = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	h := sha256.Sum256([]byte("seeupo-appworld-password/" + app + "/" + email))
	out := make([]byte, 10)
	for i := range out {
		out[i] = letters[int(h[i])%len(letters)]
	}
	return string(out)
}

// AccountApps are the apps in which everyone has an account.
var AccountApps = []string{"file_system", "phone", "simple_note", "splitwise", "todoist", "venmo"}

// Builder writes records into a store; the generator and the task set-ups
// share it.
type Builder struct {
	Store  *Store
	Rand   *rand.Rand
	People []Person
	ctx    context.Context
	err    error
}

// NewBuilder wraps store; rng drives every random choice.
func NewBuilder(store *Store, rng *rand.Rand) *Builder {
	return &Builder{Store: store, Rand: rng, ctx: context.Background()}
}

// Err is the first error met while building.
func (b *Builder) Err() error { return b.err }

func (b *Builder) exec(q string, args ...any) int64 {
	if b.err != nil {
		return 0
	}
	res, err := b.Store.conn.ExecContext(b.ctx, q, args...)
	if err != nil {
		b.err = fmt.Errorf("%s: %w", strings.Fields(q)[2], err)
		return 0
	}
	id, _ := res.LastInsertId()
	return id
}

// Begin and Commit wrap a batch of inserts in one transaction.
func (b *Builder) Begin()  { b.exec("BEGIN") }
func (b *Builder) Commit() { b.exec("COMMIT") }

var firstNames = strings.Fields(`Amara Bastian Celia Dorian Elif Fenna Gideon Halina Ivo Jorun Kasimir Liesel Mateo Noor Osric Paloma
Quentin Rosalind Silas Tamsin Ulrich Vesna Wendell Xiomara Yorick Zelda Anselm Brigid Cosmo Delphine Emrys Fiorella Gunnar Hester
Ignatius Juno Kester Lavinia Marek Nerys`)

var lastNames = strings.Fields(`Abernethy Brightwater Castellano Dunmore Eskildsen Fairbairn Grimaldi Holloway Ingersoll Jablonski
Kettering Lindqvist Marchetti Northcote Okonkwo Pemberton Quarrie Rothwell Sandoval Thorvaldsen Underhill Valcourt Whitlock Yardley
Zabaleta Ashdown Blackwood Carrow Delacroix Everly`)

var cities = strings.Fields(`Riverton Lakeside Harborview Millbrook Ashford Stonebridge Fairhaven Westmere`)

// Relationships are the contact relationships the generator uses.
var Relationships = []string{"friend", "coworker", "sibling", "parent", "partner", "roommate", "manager", "neighbor"}

func (b *Builder) password() string {
	const letters = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	var sb strings.Builder
	for range 10 {
		sb.WriteByte(letters[b.Rand.IntN(len(letters))])
	}
	return sb.String()
}

// AddPerson creates a person with an account in every app.
func (b *Builder) AddPerson(first, last string) Person {
	n := len(b.People) + 1
	p := Person{FirstName: first, LastName: last,
		Email:     strings.ToLower(first+"."+last) + "@mail.example",
		Phone:     fmt.Sprintf("555%07d", 1000000+n*7919%9000000),
		Birthday:  fmt.Sprintf("%d-%02d-%02d", 1960+b.Rand.IntN(45), 1+b.Rand.IntN(12), 1+b.Rand.IntN(28)),
		City:      cities[b.Rand.IntN(len(cities))],
		Passwords: map[string]string{}}
	p.ID = b.exec(`INSERT INTO people(first_name, last_name, email, phone_number, birthday, city) VALUES(?,?,?,?,?,?)`, first, last, p.Email, p.Phone, p.Birthday, p.City)
	for _, app := range AccountApps {
		user := p.Email
		if app == "phone" {
			user = p.Phone
		}
		p.Passwords[app] = b.password()
		b.exec(`INSERT INTO accounts(person_id, app, username, password) VALUES(?,?,?,?)`, p.ID, app, user, p.Passwords[app])
	}
	for _, app := range LaterApps {
		p.Passwords[app] = derivedPassword(app, p.Email)
		b.exec(`INSERT INTO accounts(person_id, app, username, password) VALUES(?,?,?,?)`, p.ID, app, p.Email, p.Passwords[app])
	}
	b.exec(`INSERT INTO wallets(person_id, balance) VALUES(?,?)`, p.ID, float64(200+b.Rand.IntN(2800)))
	b.People = append(b.People, p)
	return p
}

// AddContact adds who to owner's phone contacts.
func (b *Builder) AddContact(owner, who Person, rel, at string) int64 {
	return b.exec(`INSERT INTO contacts(owner_id, first_name, last_name, phone_number, email, relationship, birthday, created_at) VALUES(?,?,?,?,?,?,?,?)`,
		owner.ID, who.FirstName, who.LastName, who.Phone, who.Email, rel, who.Birthday, at)
}

// AddMessage records a text message.
func (b *Builder) AddMessage(from, to Person, text, at string, read bool) int64 {
	return b.exec(`INSERT INTO text_messages(sender_number, receiver_number, message, sent_at, is_read) VALUES(?,?,?,?,?)`, from.Phone, to.Phone, text, at, dbValue(read))
}

// AddAlarm adds an alarm.
func (b *Builder) AddAlarm(owner Person, hhmm, label, days string, enabled bool) int64 {
	return b.exec(`INSERT INTO alarms(owner_id, time, label, repeat_days, enabled) VALUES(?,?,?,?,?)`, owner.ID, hhmm, label, days, dbValue(enabled))
}

// AddNote adds a note.
func (b *Builder) AddNote(owner Person, title, content, tags string, pinned bool, at string) int64 {
	return b.exec(`INSERT INTO notes(owner_id, title, content, tags, pinned, created_at, updated_at) VALUES(?,?,?,?,?,?,?)`, owner.ID, title, content, tags, dbValue(pinned), at, at)
}

// AddDir adds a directory.
func (b *Builder) AddDir(owner Person, path, at string) int64 {
	return b.exec(`INSERT INTO directories(owner_id, path, created_at) VALUES(?,?,?)`, owner.ID, path, at)
}

// AddFile adds a file.
func (b *Builder) AddFile(owner Person, path, content, at string) int64 {
	return b.exec(`INSERT INTO files(owner_id, path, content, created_at, updated_at) VALUES(?,?,?,?,?)`, owner.ID, path, content, at, at)
}

// AddProject adds a to-do project.
func (b *Builder) AddProject(owner Person, name, at string) int64 {
	return b.exec(`INSERT INTO todo_projects(owner_id, name, created_at) VALUES(?,?,?)`, owner.ID, name, at)
}

// AddTask adds a to-do task.
func (b *Builder) AddTask(owner Person, project int64, title, due string, priority int, done bool, at string) int64 {
	doneAt := ""
	if done {
		doneAt = at
	}
	return b.exec(`INSERT INTO todo_tasks(owner_id, project_id, title, description, due_date, priority, completed, completed_at, created_at) VALUES(?,?,?,?,?,?,?,?,?)`,
		owner.ID, project, title, "", due, priority, dbValue(done), doneAt, at)
}

// AddComment adds a comment to a to-do task.
func (b *Builder) AddComment(task int64, author Person, text, at string) int64 {
	return b.exec(`INSERT INTO todo_comments(task_id, author_id, content, created_at) VALUES(?,?,?,?)`, task, author.ID, text, at)
}

// AddGroup adds an expense group with its members (the creator first).
func (b *Builder) AddGroup(name string, members []Person, at string) int64 {
	g := b.exec(`INSERT INTO expense_groups(name, created_by, created_at) VALUES(?,?,?)`, name, members[0].ID, at)
	for _, m := range members {
		b.exec(`INSERT INTO expense_members(group_id, person_id) VALUES(?,?)`, g, m.ID)
	}
	return g
}

// AddExpense adds an expense split equally in cents among sharers.
func (b *Builder) AddExpense(group int64, desc string, amount float64, payer Person, sharers []Person, at string) int64 {
	e := b.exec(`INSERT INTO expenses(group_id, description, amount, paid_by, created_by, created_at) VALUES(?,?,?,?,?,?)`, group, desc, amount, payer.ID, payer.ID, at)
	for i, s := range split(amount, len(sharers)) {
		b.exec(`INSERT INTO expense_shares(expense_id, person_id, amount) VALUES(?,?,?)`, e, sharers[i].ID, s)
	}
	return e
}

// AddSettlement records a repayment inside a group.
func (b *Builder) AddSettlement(group int64, payer, payee Person, amount float64, at string) int64 {
	return b.exec(`INSERT INTO settlements(group_id, payer_id, payee_id, amount, note, created_at) VALUES(?,?,?,?,'',?)`, group, payer.ID, payee.ID, amount, at)
}

// SetBalance sets a wallet balance.
func (b *Builder) SetBalance(who Person, balance float64) {
	b.exec(`UPDATE wallets SET balance=? WHERE person_id=?`, balance, who.ID)
}

// AddTransaction records a past wallet transfer (balances are not touched).
func (b *Builder) AddTransaction(from, to Person, amount float64, desc, at string) int64 {
	return b.exec(`INSERT INTO wallet_transactions(sender_id, receiver_id, amount, description, created_at) VALUES(?,?,?,?,?)`, from.ID, to.ID, amount, desc, at)
}

// AddRequest records a payment request.
func (b *Builder) AddRequest(requester, payer Person, amount float64, desc, status, at string) int64 {
	return b.exec(`INSERT INTO payment_requests(requester_id, payer_id, amount, description, status, created_at, updated_at) VALUES(?,?,?,?,?,?,?)`,
		requester.ID, payer.ID, amount, desc, status, at, at)
}

// Day formats a date-time offset by days and minutes from base.
func Day(base time.Time, days, minutes int) string {
	return base.AddDate(0, 0, days).Add(time.Duration(minutes) * time.Minute).Format(TimeLayout)
}

// BaseTime is the generator's reference date; data is dated before it.
var BaseTime = time.Date(2026, 5, 18, 9, 0, 0, 0, time.UTC)

var (
	noteTopics = []string{"Book list", "Gift ideas", "Recipe: lentil soup", "Packing list", "Garden plan", "Meeting notes", "Workout log", "Movie picks"}
	noteTags   = []string{"personal", "work", "ideas", "home", "travel", "health"}
	chatLines  = []string{"Are we still on for Saturday?", "Running ten minutes late.", "Did you see the game last night?", "Thanks for dinner!",
		"Can you send me the photos?", "Happy to help anytime.", "Call me when you're free.", "The package arrived today."}
	taskTitles  = []string{"Renew library card", "Call the plumber", "Water the plants", "Prepare slides", "Book dentist appointment", "Pay electricity bill", "Return jacket", "Plan weekend hike"}
	expenseWhat = []string{"Groceries", "Dinner out", "Taxi", "Concert tickets", "Utilities", "Internet", "Cleaning supplies", "Brunch"}
)

// Generate builds the base world: people, relationships and their data in
// every app, all determined by seed.
func Generate(seed uint64, people int) (*Store, []Person, error) {
	store, err := NewStore(nil)
	if err != nil {
		return nil, nil, err
	}
	b := NewBuilder(store, rand.New(rand.NewPCG(seed, seed^0x5eed)))
	b.Begin()
	for i := range people {
		b.AddPerson(firstNames[i%len(firstNames)], lastNames[(i*7+i/len(firstNames))%len(lastNames)])
	}
	for i, p := range b.People {
		b.seedPerson(i, p)
	}
	b.seedGroups()
	b.seedSpotify(seed)
	b.seedGmail(seed)
	b.seedAmazon(seed)
	b.Commit()
	if b.err != nil {
		store.Close()
		return nil, nil, b.err
	}
	return store, b.People, nil
}

func (b *Builder) pick(list []string) string { return list[b.Rand.IntN(len(list))] }

func (b *Builder) seedPerson(i int, p Person) {
	r := b.Rand
	at := func() string { return Day(BaseTime, -1-r.IntN(60), r.IntN(600)) }
	n := len(b.People)
	for k := 1; k <= 6; k++ {
		other := b.People[(i+k*k+3)%n]
		if other.ID == p.ID {
			continue
		}
		b.AddContact(p, other, b.pick(Relationships), at())
		if k <= 3 {
			b.AddMessage(other, p, b.pick(chatLines), at(), r.IntN(3) > 0)
			b.AddMessage(p, other, b.pick(chatLines), at(), true)
		}
	}
	b.AddAlarm(p, fmt.Sprintf("%02d:%02d", 5+r.IntN(4), 15*r.IntN(4)), "Wake up", "monday,tuesday,wednesday,thursday,friday", true)
	for k := range 3 {
		b.AddNote(p, noteTopics[(i+k)%len(noteTopics)], "Some thoughts, written on a quiet evening.", b.pick(noteTags), k == 0, at())
	}
	for _, d := range []string{"/documents", "/photos", "/downloads"} {
		b.AddDir(p, d, at())
	}
	b.AddFile(p, "/documents/todo.txt", "buy milk\ncall mom", at())
	b.AddFile(p, "/documents/resume.txt", "Experience: ten years of things.", at())
	b.AddFile(p, "/photos/beach.jpg.txt", "(photo placeholder)", at())
	home := b.AddProject(p, "Home", at())
	work := b.AddProject(p, "Work", at())
	for k := range 4 {
		proj := home
		if k%2 == 1 {
			proj = work
		}
		b.AddTask(p, proj, taskTitles[(i+k)%len(taskTitles)], Day(BaseTime, 1+r.IntN(20), 0)[:10], 1+r.IntN(3), k == 3, at())
	}
	if i%3 == 0 {
		other := b.People[(i+5)%n]
		b.AddTransaction(p, other, float64(5+r.IntN(90)), "Lunch", at())
	}
}

func (b *Builder) seedGroups() {
	n := len(b.People)
	for g := 0; g < n/3; g++ {
		var members []Person
		for k := range 3 + g%2 {
			members = append(members, b.People[(g*3+k*5)%n])
		}
		gid := b.AddGroup(fmt.Sprintf("%s house", cities[g%len(cities)]), members, Day(BaseTime, -90, g))
		for k := range 3 {
			payer := members[k%len(members)]
			b.AddExpense(gid, expenseWhat[(g+k)%len(expenseWhat)], float64(10+b.Rand.IntN(190))+float64(b.Rand.IntN(100))/100, payer, members, Day(BaseTime, -30+k, g))
		}
	}
}
