package world

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// spotifySchema holds the music app's tables: a shared catalogue of
// artists, albums and songs, people's playlists, and one table of marks
// (a person liked, saved, followed or downloaded an item).
const spotifySchema = `
CREATE TABLE spotify_artists (id INTEGER PRIMARY KEY, name TEXT NOT NULL, genre TEXT NOT NULL);
CREATE TABLE spotify_albums (id INTEGER PRIMARY KEY, title TEXT NOT NULL, artist_id INTEGER NOT NULL,
  genre TEXT NOT NULL, release_date TEXT NOT NULL);
CREATE TABLE spotify_songs (id INTEGER PRIMARY KEY, title TEXT NOT NULL, album_id INTEGER NOT NULL,
  artist_id INTEGER NOT NULL, genre TEXT NOT NULL, duration INTEGER NOT NULL, release_date TEXT NOT NULL,
  play_count INTEGER NOT NULL);
CREATE TABLE spotify_playlists (id INTEGER PRIMARY KEY, owner_id INTEGER NOT NULL, title TEXT NOT NULL,
  is_public INTEGER NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE spotify_playlist_songs (id INTEGER PRIMARY KEY, playlist_id INTEGER NOT NULL, song_id INTEGER NOT NULL,
  added_at TEXT NOT NULL);
CREATE TABLE spotify_marks (id INTEGER PRIMARY KEY, person_id INTEGER NOT NULL, kind TEXT NOT NULL,
  item_id INTEGER NOT NULL, created_at TEXT NOT NULL, UNIQUE(person_id, kind, item_id));
`

// A markKind names one kind of spotify mark and the catalogue table it
// points into.
type markKind struct {
	kind, table, what, idParam string
}

var (
	likedSong      = markKind{"liked_song", "spotify_songs", "Song", "song_id"}
	likedAlbum     = markKind{"liked_album", "spotify_albums", "Album", "album_id"}
	likedPlaylist  = markKind{"liked_playlist", "spotify_playlists", "Playlist", "playlist_id"}
	librarySong    = markKind{"library_song", "spotify_songs", "Song", "song_id"}
	libraryAlbum   = markKind{"library_album", "spotify_albums", "Album", "album_id"}
	followedArtist = markKind{"following_artist", "spotify_artists", "Artist", "artist_id"}
	downloadedSong = markKind{"downloaded_song", "spotify_songs", "Song", "song_id"}
)

const (
	songCols   = `s.id AS song_id, s.title, s.album_id, al.title AS album_title, s.artist_id, ar.name AS artist_name, s.genre, s.duration, s.release_date, s.play_count`
	songFrom   = ` FROM spotify_songs s JOIN spotify_albums al ON al.id=s.album_id JOIN spotify_artists ar ON ar.id=s.artist_id`
	albumCols  = `al.id AS album_id, al.title, al.artist_id, ar.name AS artist_name, al.genre, al.release_date`
	albumFrom  = ` FROM spotify_albums al JOIN spotify_artists ar ON ar.id=al.artist_id`
	artistCols = `ar.id AS artist_id, ar.name, ar.genre`
	artistFrom = ` FROM spotify_artists ar`
)

// itemQuery is how a mark kind's items are listed.
func (k markKind) itemQuery() (cols, from, alias string) {
	switch k.table {
	case "spotify_songs":
		return songCols, songFrom, "s"
	case "spotify_albums":
		return albumCols, albumFrom, "al"
	case "spotify_artists":
		return artistCols, artistFrom, "ar"
	}
	return playlistCols, playlistFrom, "pl"
}

const (
	playlistCols = `pl.id AS playlist_id, pl.title, pl.is_public, o.email AS owner_email, pl.created_at`
	playlistFrom = ` FROM spotify_playlists pl JOIN people o ON o.id=pl.owner_id`
)

// exists checks that the item a mark points to exists and, for playlists,
// that the caller may see it.
func (c *Call) markable(k markKind, id int64) error {
	q := `SELECT id FROM ` + k.table + ` WHERE id=?`
	args := []any{id}
	if k.table == "spotify_playlists" {
		q += ` AND (is_public=1 OR owner_id=?)`
		args = append(args, c.user)
	}
	_, err := c.one(k.what, q, args...)
	return err
}

func markAPI(name, desc string, k markKind, on bool) *API {
	return &API{Name: name, Method: map[bool]string{true: "POST", false: "DELETE"}[on], Path: "/spotify/" + k.kind + "s/{" + k.idParam + "}", Auth: true,
		Description: desc, Params: []Param{p(k.idParam, "integer", "The "+strings.ToLower(k.what)+"'s id.")},
		handler: func(c *Call) (any, error) {
			id := c.int(k.idParam)
			if err := c.markable(k, id); err != nil {
				return nil, err
			}
			var err error
			if on {
				res, e := c.exec(`INSERT OR IGNORE INTO spotify_marks(person_id, kind, item_id, created_at) VALUES(?,?,?,?)`, c.user, k.kind, id, c.now())
				if n, _ := res.RowsAffected(); e == nil && n == 0 {
					return nil, failf(409, "The %s is already in the list.", strings.ToLower(k.what))
				}
				err = e
			} else {
				res, e := c.exec(`DELETE FROM spotify_marks WHERE person_id=? AND kind=? AND item_id=?`, c.user, k.kind, id)
				if n, _ := res.RowsAffected(); e == nil && n == 0 {
					return nil, failf(409, "The %s is not in the list.", strings.ToLower(k.what))
				}
				err = e
			}
			return map[string]any{"message": desc[:len(desc)-1] + ": done."}, err
		}}
}

func listMarksAPI(name, desc string, k markKind, withQuery bool) *API {
	params := paging()
	if withQuery {
		params = append([]Param{opt("query", "string", "", "Text to match in the title or name.")}, params...)
	}
	return &API{Name: name, Method: "GET", Path: "/spotify/" + k.kind + "s", Auth: true, Description: desc, Params: params,
		handler: func(c *Call) (any, error) {
			cols, from, alias := k.itemQuery()
			title := alias + ".title"
			if k.table == "spotify_artists" {
				title = alias + ".name"
			}
			rs, err := c.rows(`SELECT `+cols+`, m.created_at AS added_at`+from+` JOIN spotify_marks m ON m.item_id=`+alias+`.id AND m.kind=? AND m.person_id=?
				WHERE lower(`+title+`) LIKE ? ORDER BY m.created_at DESC, m.id DESC`, k.kind, c.user, like(c.str("query")))
			return shape(c.page(rs), []string{"is_public"}, nil), err
		}}
}

func searchAPI(name, desc, cols, from, titleCol string, extra ...Param) *API {
	return &API{Name: name, Method: "GET", Path: "/spotify/" + strings.TrimPrefix(name, "search_"), Auth: true, Description: desc,
		Params: append(append([]Param{opt("query", "string", "", "Text to match.")}, extra...), paging()...),
		handler: func(c *Call) (any, error) {
			q := `SELECT ` + cols + from + ` WHERE lower(` + titleCol + `) LIKE ?`
			args := []any{like(c.str("query"))}
			for _, e := range extra {
				if !c.has(e.Name) {
					continue
				}
				switch e.Name {
				case "genre":
					q += ` AND lower(` + strings.Split(titleCol, ".")[0] + `.genre)=lower(?)`
					args = append(args, c.str("genre"))
				case "artist_id", "album_id":
					q += ` AND s.` + e.Name + `=?`
					args = append(args, c.int(e.Name))
				}
			}
			rs, err := c.rows(q+` ORDER BY 1`, args...)
			return c.page(rs), err
		}}
}

func (c *Call) ownPlaylist(id int64) error {
	_, err := c.one("Playlist", `SELECT id FROM spotify_playlists WHERE id=? AND owner_id=?`, id, c.user)
	return err
}

func init() {
	playlistID := p("playlist_id", "integer", "The playlist's id.")
	songID := p("song_id", "integer", "The song's id.")
	genre := opt("genre", "string", nil, "Only this genre.")
	register("spotify", "The spotify app: a music catalogue of songs, albums and artists; your library, likes, follows, downloads and playlists.", append(accountAPIs("spotify"),
		searchUsersAPI("spotify"),
		&API{Name: "show_genres", Method: "GET", Path: "/spotify/genres", Auth: true,
			Description: "List the genres of the catalogue.", Success: []any{"string"},
			handler: func(c *Call) (any, error) {
				rs, err := c.rows(`SELECT DISTINCT genre FROM spotify_artists ORDER BY genre`)
				out := []string{}
				for _, r := range rs {
					out = append(out, r["genre"].(string))
				}
				return out, err
			}},
		searchAPI("search_songs", "Search the catalogue's songs by title, optionally by artist, album or genre.", songCols, songFrom, "s.title",
			opt("artist_id", "integer", nil, "Only this artist's songs."), opt("album_id", "integer", nil, "Only this album's songs."), genre),
		&API{Name: "show_song", Method: "GET", Path: "/spotify/songs/{song_id}", Auth: true,
			Description: "Show a song.", Params: []Param{songID},
			handler: func(c *Call) (any, error) {
				return c.one("Song", `SELECT `+songCols+songFrom+` WHERE s.id=?`, c.int("song_id"))
			}},
		markAPI("like_song", "Like a song.", likedSong, true),
		markAPI("unlike_song", "Unlike a song.", likedSong, false),
		listMarksAPI("show_liked_songs", "List the songs you liked, most recent first.", likedSong, false),
		searchAPI("search_albums", "Search the catalogue's albums by title, optionally by genre.", albumCols, albumFrom, "al.title", genre),
		&API{Name: "show_album", Method: "GET", Path: "/spotify/albums/{album_id}", Auth: true,
			Description: "Show an album with its songs' ids.", Params: []Param{p("album_id", "integer", "The album's id.")},
			handler: func(c *Call) (any, error) {
				r, err := c.one("Album", `SELECT `+albumCols+albumFrom+` WHERE al.id=?`, c.int("album_id"))
				if err != nil {
					return nil, err
				}
				r["song_ids"], err = c.ids(`SELECT id FROM spotify_songs WHERE album_id=? ORDER BY id`, c.int("album_id"))
				return r, err
			}},
		markAPI("like_album", "Like an album.", likedAlbum, true),
		markAPI("unlike_album", "Unlike an album.", likedAlbum, false),
		listMarksAPI("show_liked_albums", "List the albums you liked, most recent first.", likedAlbum, false),
		&API{Name: "show_playlist_library", Method: "GET", Path: "/spotify/playlist_library", Auth: true,
			Description: "List your own playlists, optionally those whose title contains the query.",
			Params:      append([]Param{opt("query", "string", "", "Text to match in the title."), opt("is_public", "boolean", nil, "Only public (True) or private (False) playlists.")}, paging()...),
			handler: func(c *Call) (any, error) {
				q := `SELECT ` + playlistCols + playlistFrom + ` WHERE pl.owner_id=? AND lower(pl.title) LIKE ?`
				args := []any{c.user, like(c.str("query"))}
				if c.has("is_public") {
					q += ` AND pl.is_public=?`
					args = append(args, dbValue(c.flag("is_public")))
				}
				rs, err := c.rows(q+` ORDER BY pl.id`, args...)
				return shape(c.page(rs), []string{"is_public"}, nil), err
			}},
		&API{Name: "search_playlists", Method: "GET", Path: "/spotify/playlists", Auth: true,
			Description: "Search the public playlists (and your own) by title, optionally by owner.",
			Params:      append([]Param{opt("query", "string", "", "Text to match in the title."), opt("owner_email", "string", nil, "Only this person's playlists.")}, paging()...),
			handler: func(c *Call) (any, error) {
				q := `SELECT ` + playlistCols + playlistFrom + ` WHERE (pl.is_public=1 OR pl.owner_id=?) AND lower(pl.title) LIKE ?`
				args := []any{c.user, like(c.str("query"))}
				if c.has("owner_email") {
					q += ` AND lower(o.email)=lower(?)`
					args = append(args, strings.TrimSpace(c.str("owner_email")))
				}
				rs, err := c.rows(q+` ORDER BY pl.id`, args...)
				return shape(c.page(rs), []string{"is_public"}, nil), err
			}},
		&API{Name: "show_playlist", Method: "GET", Path: "/spotify/playlists/{playlist_id}", Auth: true,
			Description: "Show a playlist with its songs, in the order they were added.", Params: []Param{playlistID},
			handler: func(c *Call) (any, error) {
				r, err := c.one("Playlist", `SELECT `+playlistCols+playlistFrom+` WHERE pl.id=? AND (pl.is_public=1 OR pl.owner_id=?)`, c.int("playlist_id"), c.user)
				if err != nil {
					return nil, err
				}
				r["songs"], err = c.rows(`SELECT s.id AS song_id, s.title, ar.name AS artist_name FROM spotify_playlist_songs ps JOIN spotify_songs s ON s.id=ps.song_id
					JOIN spotify_artists ar ON ar.id=s.artist_id WHERE ps.playlist_id=? ORDER BY ps.id`, c.int("playlist_id"))
				return shape([]Row{r}, []string{"is_public"}, nil)[0], err
			}},
		&API{Name: "create_playlist", Method: "POST", Path: "/spotify/playlists", Auth: true,
			Description: "Create a playlist.",
			Params:      []Param{p("title", "string", "The title."), opt("is_public", "boolean", false, "Whether others can see it.")},
			Success:     map[string]any{"message": "string", "playlist_id": 1},
			handler: func(c *Call) (any, error) {
				if strings.TrimSpace(c.str("title")) == "" {
					return nil, failf(422, "title must not be empty.")
				}
				id, err := c.insert(`INSERT INTO spotify_playlists(owner_id, title, is_public, created_at) VALUES(?,?,?,?)`, c.user, c.str("title"), dbValue(c.flag("is_public")), c.now())
				return map[string]any{"message": "Playlist created.", "playlist_id": id}, err
			}},
		&API{Name: "update_playlist", Method: "PATCH", Path: "/spotify/playlists/{playlist_id}", Auth: true,
			Description: "Rename a playlist or change whether it is public.",
			Params:      []Param{playlistID, opt("title", "string", nil, "New title."), opt("is_public", "boolean", nil, "Public (True) or private (False).")},
			handler: func(c *Call) (any, error) {
				if err := c.ownPlaylist(c.int("playlist_id")); err != nil {
					return nil, err
				}
				return map[string]any{"message": "Playlist updated."}, c.patch("spotify_playlists", c.int("playlist_id"), "title", "is_public")
			}},
		&API{Name: "delete_playlist", Method: "DELETE", Path: "/spotify/playlists/{playlist_id}", Auth: true,
			Description: "Delete one of your playlists.", Params: []Param{playlistID},
			handler: func(c *Call) (any, error) {
				id := c.int("playlist_id")
				if err := c.ownPlaylist(id); err != nil {
					return nil, err
				}
				for _, q := range []string{`DELETE FROM spotify_playlist_songs WHERE playlist_id=?`, `DELETE FROM spotify_marks WHERE kind='liked_playlist' AND item_id=?`, `DELETE FROM spotify_playlists WHERE id=?`} {
					if _, err := c.exec(q, id); err != nil {
						return nil, err
					}
				}
				return map[string]any{"message": "Playlist deleted."}, nil
			}},
		markAPI("like_playlist", "Like a playlist.", likedPlaylist, true),
		markAPI("unlike_playlist", "Unlike a playlist.", likedPlaylist, false),
		listMarksAPI("show_liked_playlists", "List the playlists you liked, most recent first.", likedPlaylist, false),
		searchAPI("search_artists", "Search the catalogue's artists by name, optionally by genre.", artistCols, artistFrom, "ar.name", genre),
		&API{Name: "show_artist", Method: "GET", Path: "/spotify/artists/{artist_id}", Auth: true,
			Description: "Show an artist with the number of followers.", Params: []Param{p("artist_id", "integer", "The artist's id.")},
			handler: func(c *Call) (any, error) {
				return c.one("Artist", `SELECT `+artistCols+`, (SELECT COUNT(*) FROM spotify_marks WHERE kind='following_artist' AND item_id=ar.id) AS follower_count`+artistFrom+` WHERE ar.id=?`, c.int("artist_id"))
			}},
		&API{Name: "show_artist_following", Method: "GET", Path: "/spotify/artists/{artist_id}/following", Auth: true,
			Description: "Whether you follow an artist.", Params: []Param{p("artist_id", "integer", "The artist's id.")},
			Success: map[string]any{"following": true},
			handler: func(c *Call) (any, error) {
				if err := c.markable(followedArtist, c.int("artist_id")); err != nil {
					return nil, err
				}
				rs, err := c.rows(`SELECT id FROM spotify_marks WHERE person_id=? AND kind='following_artist' AND item_id=?`, c.user, c.int("artist_id"))
				return map[string]any{"following": len(rs) > 0}, err
			}},
		listMarksAPI("show_song_library", "List the songs in your library, most recently added first.", librarySong, true),
		markAPI("add_song_to_library", "Add a song to your library.", librarySong, true),
		markAPI("remove_song_from_library", "Remove a song from your library.", librarySong, false),
		listMarksAPI("show_album_library", "List the albums in your library, most recently added first.", libraryAlbum, true),
		markAPI("add_album_to_library", "Add an album to your library.", libraryAlbum, true),
		markAPI("remove_album_from_library", "Remove an album from your library.", libraryAlbum, false),
		&API{Name: "add_song_to_playlist", Method: "POST", Path: "/spotify/playlists/{playlist_id}/songs", Auth: true,
			Description: "Add a song to the end of one of your playlists.", Params: []Param{playlistID, songID},
			handler: func(c *Call) (any, error) {
				if err := c.ownPlaylist(c.int("playlist_id")); err != nil {
					return nil, err
				}
				if err := c.markable(librarySong, c.int("song_id")); err != nil {
					return nil, err
				}
				if rs, err := c.rows(`SELECT id FROM spotify_playlist_songs WHERE playlist_id=? AND song_id=?`, c.int("playlist_id"), c.int("song_id")); err != nil || len(rs) > 0 {
					if err == nil {
						err = failf(409, "The song is already in the playlist.")
					}
					return nil, err
				}
				_, err := c.insert(`INSERT INTO spotify_playlist_songs(playlist_id, song_id, added_at) VALUES(?,?,?)`, c.int("playlist_id"), c.int("song_id"), c.now())
				return map[string]any{"message": "Song added to the playlist."}, err
			}},
		&API{Name: "remove_song_from_playlist", Method: "DELETE", Path: "/spotify/playlists/{playlist_id}/songs", Auth: true,
			Description: "Remove a song from one of your playlists.", Params: []Param{playlistID, songID},
			handler: func(c *Call) (any, error) {
				if err := c.ownPlaylist(c.int("playlist_id")); err != nil {
					return nil, err
				}
				res, err := c.exec(`DELETE FROM spotify_playlist_songs WHERE playlist_id=? AND song_id=?`, c.int("playlist_id"), c.int("song_id"))
				if n, _ := res.RowsAffected(); err == nil && n == 0 {
					return nil, notFound("Song in the playlist")
				}
				return map[string]any{"message": "Song removed from the playlist."}, err
			}},
		listMarksAPI("show_downloaded_songs", "List the songs you downloaded, most recent first.", downloadedSong, true),
		markAPI("download_song", "Download a song.", downloadedSong, true),
		markAPI("remove_downloaded_song", "Remove a downloaded song.", downloadedSong, false),
		listMarksAPI("show_following_artists", "List the artists you follow, most recently followed first.", followedArtist, true),
		markAPI("follow_artist", "Follow an artist.", followedArtist, true),
		markAPI("unfollow_artist", "Unfollow an artist.", followedArtist, false),
	)...)
}

func (c *Call) ids(query string, args ...any) ([]int64, error) {
	rs, err := c.rows(query, args...)
	out := []int64{}
	for _, r := range rs {
		out = append(out, r["id"].(int64))
	}
	return out, err
}

// The catalogue's words: the project's own invented artists and titles.
var (
	musicGenres  = []string{"pop", "rock", "jazz", "folk", "electronic", "hip hop"}
	artistWords  = strings.Fields(`Velvet Copper Lantern Northern Paper Hollow Silver Quiet Amber Wild Glass Orbit`)
	artistNouns  = strings.Fields(`Foxes Harbor Tides Echo Giants Atlas Sparrows Signal Comets Orchard Pilots Kites`)
	titleWords   = strings.Fields(`Midnight Summer River Golden Broken Electric Distant Faded Paper Neon Slow Morning Winter Hidden Open Last`)
	titleNouns   = strings.Fields(`Roads Lights Letters Hearts Skies Dreams Streets Waves Windows Fields Stars Bridges Shadows Rooms`)
	playlistName = []string{"Road trip", "Focus", "Workout", "Sunday morning", "Dinner party", "Late night"}
)

// AddArtist adds an artist with one album of songs per title; it returns
// the artist's id and its songs' ids.
func (b *Builder) AddArtist(name, genre string, albums map[string][]string, release string) (int64, []int64) {
	artist := b.exec(`INSERT INTO spotify_artists(name, genre) VALUES(?,?)`, name, genre)
	var songs []int64
	for _, album := range sortedKeys(albums) {
		al := b.exec(`INSERT INTO spotify_albums(title, artist_id, genre, release_date) VALUES(?,?,?,?)`, album, artist, genre, release)
		for k, t := range albums[album] {
			songs = append(songs, b.exec(`INSERT INTO spotify_songs(title, album_id, artist_id, genre, duration, release_date, play_count) VALUES(?,?,?,?,?,?,?)`,
				t, al, artist, genre, 150+17*k+len(t), release, 1000+37*len(t)*(k+1)))
		}
	}
	return artist, songs
}

// Mark records that owner liked, saved, followed or downloaded an item
// (kind: liked_song, liked_album, liked_playlist, library_song,
// library_album, following_artist, downloaded_song).
func (b *Builder) Mark(owner Person, kind string, item int64, at string) int64 {
	return b.exec(`INSERT OR IGNORE INTO spotify_marks(person_id, kind, item_id, created_at) VALUES(?,?,?,?)`, owner.ID, kind, item, at)
}

// AddPlaylist creates a playlist with the songs in order.
func (b *Builder) AddPlaylist(owner Person, title string, public bool, songs []int64, at string) int64 {
	id := b.exec(`INSERT INTO spotify_playlists(owner_id, title, is_public, created_at) VALUES(?,?,?,?)`, owner.ID, title, dbValue(public), at)
	for _, s := range songs {
		b.exec(`INSERT INTO spotify_playlist_songs(playlist_id, song_id, added_at) VALUES(?,?,?)`, id, s, at)
	}
	return id
}

// seedSpotify builds the catalogue and each person's library with its own
// random stream, so the other apps' data do not depend on it.
func (b *Builder) seedSpotify(seed uint64) {
	r := rand.New(rand.NewPCG(seed, 0x5907))
	var songs []int64
	var artists []int64
	for i := range 12 {
		albums := map[string][]string{}
		for a := range 2 {
			album := titleWords[(i*3+a*5)%len(titleWords)] + " " + titleNouns[(i*5+a*3)%len(titleNouns)]
			for k := range 4 {
				albums[album] = append(albums[album], fmt.Sprintf("%s %s", titleWords[(i+k*7+a)%len(titleWords)], titleNouns[(i*2+k+a*4)%len(titleNouns)]))
			}
		}
		id, s := b.AddArtist("The "+artistWords[i]+" "+artistNouns[(i*5)%len(artistNouns)], musicGenres[i%len(musicGenres)], albums, Day(BaseTime, -400-30*i, 0)[:10])
		artists = append(artists, id)
		songs = append(songs, s...)
	}
	for _, p := range b.People {
		at := func() string { return Day(BaseTime, -1-r.IntN(90), r.IntN(600)) }
		for range 3 {
			b.Mark(p, "liked_song", songs[r.IntN(len(songs))], at())
			b.Mark(p, "library_song", songs[r.IntN(len(songs))], at())
		}
		b.Mark(p, "following_artist", artists[r.IntN(len(artists))], at())
		var list []int64
		for range 3 {
			list = append(list, songs[r.IntN(len(songs))])
		}
		b.AddPlaylist(p, playlistName[r.IntN(len(playlistName))], r.IntN(2) == 0, dedupe(list), at())
	}
}

func dedupe(xs []int64) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sortStrings(out)
	return out
}
