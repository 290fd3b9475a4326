package mint_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pgjwt-go/pgjwt/auth"
	"github.com/pgjwt-go/pgjwt/examples/mint"
	"github.com/pgjwt-go/pgjwt/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// TestSameAsSQLLogin asks the oracle: on every PostgreSQL major, the SQL
// login() of the installed recipe returns, byte for byte, the token mint.New
// mints for the instant of login()'s transaction. The emails include what
// encoding/json would have spelled differently.
func TestSameAsSQLLogin(t *testing.T) {
	emails := []string{
		"alice@example.com",
		"a<b>&c@example.com",
		`quote"and\backslash@example.com`,
		"ünïcödé@exämple.com",
		"line\u2028sep@example.com",
		"tab\tand\u007fdel@example.com",
		"emoji😀@example.com",
	}
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		ctx := context.Background()
		db := c.NewDatabase(t, "UTF8")
		if _, err := auth.InstallSchema(ctx, db.Pool); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Pool.Exec(ctx, `DO $$ BEGIN CREATE ROLE webuser NOLOGIN;
			EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`); err != nil {
			t.Fatal(err)
		}
		for _, email := range emails {
			if _, err := db.Pool.Exec(ctx, `INSERT INTO basic_auth.users (email, pass, role) VALUES ($1, 'pw', 'webuser')`, email); err != nil {
				t.Fatalf("%q: %v", email, err)
			}
		}
		for _, email := range emails {
			var now time.Time
			var want string
			err := pgx.BeginFunc(ctx, db.Pool, func(tx pgx.Tx) error {
				if _, err := tx.Exec(ctx, `SELECT set_config('app.jwt_secret', $1, true)`, secret); err != nil {
					return err
				}
				return tx.QueryRow(ctx, `SELECT now(), (login($1, 'pw')).token`, email).Scan(&now, &want)
			})
			if err != nil {
				t.Fatalf("%q: %v", email, err)
			}
			got, err := mint.New(secret, "webuser", email, now, time.Hour)
			if err != nil || got != want {
				t.Errorf("%q at %v:\nminted %s (%v)\nlogin  %s", email, now, got, err, want)
			}
		}

		// The Example's token, at its fixed instant, from the server's own
		// row_to_json and the installed sign().
		var want string
		err := db.Pool.QueryRow(ctx, `SELECT basic_auth.sign(row_to_json(r), $1) FROM (
			SELECT 'webuser'::name AS role, 'alice@example.com'::text AS email,
			       extract(epoch FROM '2026-11-25 12:00:00+00'::timestamptz)::integer + 60*60 AS exp) AS r`,
			"a-test-secret-of-at-least-32-characters").Scan(&want)
		if err != nil {
			t.Fatal(err)
		}
		if want != exampleToken {
			t.Errorf("the server mints %s for the Example, not %s", want, exampleToken)
		}
	})
}

// exampleToken is the first line of Example's output; the test above has
// the server mint it too.
const exampleToken = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoid2VidXNlciIsImVtYWlsIjoiYWxpY2VAZXhhbXBsZS5jb20iLCJleHAiOjE3OTU2MTE2MDB9.s1ANOUpmOMCRO1OToE-MXiEhIlRogQlFuLo7kAENXT0"
