package auth

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
)

// randomEmail returns an email of exactly n characters (n >= 5) whose
// characters before "@b.c" are drawn from alphabet (characters as the
// client encodes them): random, so that the server cannot compress it into
// the index.
func randomEmail(rng *rand.Rand, n int, alphabet []string) string {
	var b strings.Builder
	for range n - 4 {
		b.WriteString(alphabet[rng.IntN(len(alphabet))])
	}
	return b.String() + "@b.c"
}

// charRange returns the characters lo…hi, as UTF-8, or as single bytes.
func charRange(lo, hi rune, bytes bool) []string {
	var r []string
	for c := lo; c <= hi; c++ {
		if bytes {
			r = append(r, string([]byte{byte(c)}))
		} else {
			r = append(r, string(c))
		}
	}
	return r
}

// TestEmailLengthLimit: both stores refuse a new user whose email has more
// than MaxEmailLength characters, with the error PostgreSQL gives for a
// varchar(MaxEmailLength) column (the oracle here), and accept one at the
// limit, even of random 4-byte characters that the server cannot compress
// into the primary key's index.
func TestEmailLengthLimit(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 10))
	ascii := append(charRange('a', 'z', false), charRange('0', '9', false)...)
	wide := charRange(0x10000, 0x10fff, false) // 4 bytes in UTF-8
	latin1 := charRange(0xe0, 0xff, false)     // 2 bytes in UTF-8, 1 in LATIN1
	latin1Bytes := charRange(0xe0, 0xff, true) // the same for a LATIN1 client
	run := func(t *testing.T, s Store, role string, alphabets [][]string, oracle func(email string) error) {
		ctx := testCtx(t)
		// 3,000 random bytes: once accepted by MemStore and a raw 54000
		// (index row size exceeds maximum) from PostgreSQL.
		err := s.CreateUser(ctx, randomEmail(rng, 3000, ascii), "pw", role)
		assert.ErrorIs(t, err, ErrEmailTooLong, "3000 random bytes")
		for _, a := range alphabets {
			for _, n := range []int{MaxEmailLength - 1, MaxEmailLength, MaxEmailLength + 1} {
				email := randomEmail(rng, n, a)
				name := fmt.Sprintf("%d chars, %d bytes", n, len(email))
				err := s.CreateUser(ctx, email, "pw", role)
				if n <= MaxEmailLength {
					require.NoError(t, err, name)
					u, err := s.LookupUser(ctx, email)
					require.NoError(t, err, name)
					assert.Equal(t, email, u.Email, name)
					if oracle != nil {
						require.NoError(t, oracle(email), name)
					}
					continue
				}
				require.ErrorIs(t, err, ErrEmailTooLong, name)
				code, msg, _ := pgtest.ErrorOf(err)
				assert.Equal(t, "22001", code, name)
				assert.Equal(t, fmt.Sprintf("value too long for type character varying(%d)", MaxEmailLength), msg, name)
				if oracle != nil {
					wantCode, wantMsg, _ := pgtest.ErrorOf(oracle(email))
					assert.Equal(t, wantCode+" "+wantMsg, code+" "+msg, name+": the server for varchar(%d)", MaxEmailLength)
				}
				_, err = s.LookupUser(ctx, email)
				assert.ErrorIs(t, err, ErrUserNotFound, name)
			}
		}
		// PostgreSQL's order: parameter encoding, then the length, then
		// the checks.
		long := strings.Repeat("x", MaxEmailLength+1)
		for _, c := range []struct{ email, pass, code string }{
			{long + "@b.c", "a\x00b", "22021"},
			{long, "pw", "22001"},
		} {
			code, _, _ := pgtest.ErrorOf(s.CreateUser(ctx, c.email, c.pass, role))
			assert.Equal(t, c.code, code, "%d bytes, pass %q", len(c.email), c.pass)
		}
	}
	t.Run("MemStore", func(t *testing.T) {
		run(t, NewMemStore("web"), "web", [][]string{ascii, latin1, wide}, nil)
	})
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		for _, v := range []struct {
			enc, client string
			alphabets   [][]string
		}{
			{"UTF8", "UTF8", [][]string{ascii, latin1, wide}},
			{"LATIN1", "LATIN1", [][]string{ascii, latin1Bytes}},
			{"LATIN1", "UTF8", [][]string{ascii, latin1}},
		} {
			t.Run(v.enc+"/client_"+v.client, func(t *testing.T) {
				ctx := testCtx(t)
				l := newLoginDB(t, c, v.enc)
				cfg, err := pgxpool.ParseConfig(l.ConnString)
				require.NoError(t, err)
				cfg.ConnConfig.RuntimeParams["client_encoding"] = v.client
				pool, err := pgxpool.NewWithConfig(ctx, cfg)
				require.NoError(t, err)
				t.Cleanup(pool.Close)
				s, err := NewPGStore(ctx, pool)
				require.NoError(t, err)
				_, err = pool.Exec(ctx, fmt.Sprintf("CREATE TABLE public.oracle (email varchar(%d))", MaxEmailLength))
				require.NoError(t, err)
				oracle := func(email string) error {
					_, err := pool.Exec(ctx, "INSERT INTO public.oracle VALUES ($1)", email)
					return err
				}
				run(t, s, l.WebUser, v.alphabets, oracle)
			})
		}
	})
}

// TestEmailLimitFitsIndex measures the longest email the primary key of
// basic_auth.users takes, for random (incompressible) and repetitive text:
// MaxEmailLength characters of 4 bytes each must fit in every case.
func TestEmailLimitFitsIndex(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		ctx := testCtx(t)
		l := newLoginDB(t, c, "UTF8")
		rng := rand.New(rand.NewPCG(3, 4))
		ascii := charRange('a', 'z', false)
		accepts := func(email string) bool {
			ok := false
			_ = pgx.BeginFunc(ctx, l.Pool, func(tx pgx.Tx) error {
				_, err := tx.Exec(ctx, "INSERT INTO basic_auth.users VALUES ($1, 'pw', $2)", email, l.WebUser)
				ok = err == nil
				return errors.New("roll back")
			})
			return ok
		}
		longest := func(gen func(n int) string) int {
			lo, hi := 5, 1<<20 // accepted, refused
			for hi-lo > 1 {
				if mid := (lo + hi) / 2; accepts(gen(mid)) {
					lo = mid
				} else {
					hi = mid
				}
			}
			return lo
		}
		random := longest(func(n int) string { return randomEmail(rng, n, ascii) })
		repetitive := longest(func(n int) string { return strings.Repeat("a", n-4) + "@b.c" })
		t.Logf("%s: longest email in users_pkey: %d bytes random, %d bytes repetitive; limit %d characters, at most %d bytes",
			c, random, repetitive, MaxEmailLength, 4*MaxEmailLength)
		assert.GreaterOrEqual(t, random, 4*MaxEmailLength)
		assert.GreaterOrEqual(t, repetitive, random)
	})
}
