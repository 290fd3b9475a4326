package auth

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
	"github.com/pgjwt-go/pgjwt/internal/pgtext"
)

// TestLoginStoredHashEncodingMatchesSQL: a stored sha-crypt hash whose
// salt holds a non-ASCII character fails Service.Login with the SQL
// login()'s error byte for byte (PostgreSQL 18 quotes the character as the
// database encoding cuts it, in the client encoding), and a DES hash with
// a non-ASCII salt verifies in Go as in SQL, in UTF8 and LATIN1 databases
// with the database's own and a UTF8 client encoding.
func TestLoginStoredHashEncodingMatchesSQL(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		if c.Major < 18 {
			t.Skip("sha-crypt exists from PostgreSQL 18 on")
		}
		for _, v := range []struct{ enc, client string }{{"UTF8", ""}, {"LATIN1", ""}, {"LATIN1", "UTF8"}} {
			name := v.enc
			if v.client != "" {
				name += "/client_" + v.client
			}
			t.Run(name, func(t *testing.T) {
				ctx := testCtx(t)
				l := newLoginDB(t, c, v.enc)
				if v.client != "" {
					cfg, err := pgxpool.ParseConfig(l.ConnString)
					require.NoError(t, err)
					cfg.ConnConfig.RuntimeParams["client_encoding"] = v.client
					l.Pool, err = pgxpool.NewWithConfig(ctx, cfg)
					require.NoError(t, err)
					t.Cleanup(l.Pool.Close)
				}
				store, err := NewPGStore(ctx, l.Pool)
				require.NoError(t, err)
				svc, err := NewService(store, testSecret)
				require.NoError(t, err)
				const email, pass = "salt@example.com", "pw"
				_, err = l.Pool.Exec(ctx, "INSERT INTO basic_auth.users VALUES ($1, $2, $3)", email, pass, l.WebUser)
				require.NoError(t, err)
				// store sets the stored hash to crypt's setting (hashed by
				// the server when des), bypassing the encrypt_pass trigger.
				store2 := func(setting string, des bool) {
					expr, args := "$2", []any{email, setting}
					if des {
						expr, args = "crypt($3, $2)", append(args, pass)
					}
					require.NoError(t, pgx.BeginFunc(ctx, l.Pool, func(tx pgx.Tx) error {
						if _, err := tx.Exec(ctx, "SET LOCAL session_replication_role = replica"); err != nil {
							return err
						}
						_, err := tx.Exec(ctx, "UPDATE basic_auth.users SET pass = "+expr+" WHERE email = $1", args...)
						return err
					}))
				}
				// toClient writes server-encoded text as the client sends it.
				toClient := func(s string) string {
					if v.enc == "LATIN1" && v.client == "UTF8" {
						return pgtext.Latin1ToUTF8(s)
					}
					return s
				}
				r := rand.New(rand.NewPCG(uint64(c.Major), 12))
				cont := func() byte { return byte(0x80 + r.IntN(64)) }
				utf8Chars := []string{"À", "é", "ÿ", "€", "☃", "😀", "\u0080", "\U0010ffff"}
				high := func() string { // non-ASCII, in the database encoding
					if v.enc == "UTF8" {
						return utf8Chars[r.IntN(len(utf8Chars))]
					}
					switch r.IntN(4) {
					case 0:
						return string([]byte{byte(0x80 + r.IntN(128))})
					case 1:
						return string([]byte{byte(0xc2 + r.IntN(30)), cont()})
					case 2:
						return string([]byte{byte(0xe0 + r.IntN(16)), cont(), cont()})
					default:
						return string([]byte{byte(0xf0 + r.IntN(8)), cont(), cont(), cont()})
					}
				}
				compared := 0
				for i := range 40 {
					var b strings.Builder
					b.WriteString([]string{"$5$", "$6$", "$5$rounds=1000$"}[i%3])
					b.WriteString("abcdefghijklmnop"[:r.IntN(16)])
					b.WriteString(high())
					if r.IntN(2) == 0 {
						b.WriteString(high())
					}
					setting := toClient(b.String())
					store2(setting, false)
					_, _, sqlErr := sqlLogin(ctx, l, email, pass, "")
					_, goErr := svc.Login(ctx, email, pass)
					wc, wm, wok := pgtest.ErrorOf(sqlErr)
					gc, gm, gok := pgtest.ErrorOf(goErr)
					require.True(t, wok && gok, "%q: Go %v, SQL %v", setting, goErr, sqlErr)
					assert.Equal(t, "22023", wc, "%q", setting)
					assert.Equal(t, wc, gc, "%q", setting)
					assert.Equal(t, []byte(wm), []byte(gm), "%q: Go %q, SQL %q", setting, gm, wm)
					compared++
				}
				for range 10 {
					setting := toClient(high()[:1] + high()) // LATIN1: two bytes; UTF8: not valid, replaced below
					if v.enc == "UTF8" {
						setting = high() + high()
					}
					store2(setting, true)
					_, _, sqlErr := sqlLogin(ctx, l, email, pass, "")
					_, goErr := svc.Login(ctx, email, pass)
					require.NoError(t, sqlErr, "%q", setting)
					require.NoError(t, goErr, "%q", setting)
					compared++
				}
				t.Logf("%d stored hashes compared", compared)
			})
		}
	})
}
