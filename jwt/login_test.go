package jwt

import (
	"testing"
	"time"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
	"github.com/pgjwt-go/pgjwt/jwt/pgjson"
)

// TestLoginTokenMatchesServer mints the seed's login() token in SQL (the
// same select list, with now() replaced by a parameter) and in Go, for
// several instants and users, and compares the bytes.
func TestLoginTokenMatchesServer(t *testing.T) {
	users := [][2]string{{"webuser", "foo@bar.com"}, {"admin", "a<b>&c@x.y"}, {"anon", "é\u2028@日本"}, {"web_anon", `quote"back\slash@x`}}
	instants := []time.Time{
		time.Date(2026, 11, 25, 19, 1, 40, 600000000, time.UTC),
		time.Date(2026, 11, 25, 19, 1, 40, 400000000, time.UTC),
		time.Date(2026, 11, 25, 19, 1, 40, 500000000, time.UTC),
		time.Date(2038, 1, 19, 2, 14, 7, 0, time.UTC), // the last second whose exp fits login()'s integer
	}
	const secret = "reallyreallyreallyreallyverysafe"
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		pool := oracle(t, c.UTF8)
		for _, u := range users {
			for _, now := range instants {
				var want string
				err := pool.QueryRow(ctx(t), `select `+oracleSchema+`.sign(row_to_json(r), $4)
					from (select $1::name as role, $2::text as email,
					             extract(epoch from $3::timestamptz)::integer + 60*60 as exp) r`,
					u[0], u[1], now, secret).Scan(&want)
				if err != nil {
					t.Fatal(err)
				}
				exp, err := pgjson.ForVersion(c.Major).EpochSeconds(now)
				if err != nil {
					t.Fatal(err)
				}
				payload, err := pgjson.RowToJSON(pgjson.Object{{Key: "role", Value: u[0]}, {Key: "email", Value: u[1]}, {Key: "exp", Value: exp + 60*60}})
				if err != nil {
					t.Fatal(err)
				}
				got, err := Sign(payload, secret, "HS256")
				if err != nil || got != want {
					t.Errorf("login(%q, %v): Go %s %v\n server %s", u, now, got, err, want)
				}
			}
		}
	})
}
