package sqlname

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestCheck(t *testing.T) {
	for name, want := range map[string]string{
		"basic_auth":                  "",
		`$$ "quoted" ';--`:            "",
		strings.Repeat("é", 31) + "x": "",
		"":                            "is empty",
		"a\x00b":                      "contains a NUL byte",
		"\xff":                        "is not valid UTF-8",
		strings.Repeat("x", 64):       "is 64 bytes long; PostgreSQL would silently truncate it to 63",
		strings.Repeat("é", 32):       "is 64 bytes long; PostgreSQL would silently truncate it to 63",
	} {
		why, tooLong := Check(name)
		require.Equal(t, want, why, "%q", name)
		require.Equal(t, strings.HasPrefix(want, "is 64"), tooLong, "%q", name)
	}
}

func TestQuote(t *testing.T) {
	require.Equal(t, `"a ""b"" $$ 'c'"`, QuoteIdent(`a "b" $$ 'c'`))
	require.Equal(t, `U&"\00E9\\\+01F600""\000A"`, QuoteIdent("é\\😀\"\n"))
	require.Equal(t, `E'it''s \\ \u00E9 \U0001F600 \u000A'`, QuoteLiteral("it's \\ é 😀 \n"))
	// Invalid UTF-8 is passed on for the server to refuse, not replaced.
	require.Equal(t, "U&\"\xff\\00E9\"", QuoteIdent("\xffé"))
}

func TestFill(t *testing.T) {
	tmpl := "CREATE FUNCTION @s@.f() AS $x$ SELECT @s@ $x$; DO $x$ @s@ $x$;"
	for name, tag := range map[string]string{
		"plain":       "$x$",
		"$x$":         "$x_1$",
		"$x$ $x_1$":   "$x_2$",
		"a$x":         "$x$", // "a$x" next to nothing: no "$x$" forms
		"$x_1$ $x_2$": "$x$",
	} {
		got := Fill(tmpl, "x", strings.NewReplacer("@s@", QuoteIdent(name)))
		want := strings.NewReplacer("$x$", tag, "@s@", QuoteIdent(name)).Replace(tmpl)
		require.Equal(t, want, got, "%q", name)
		require.Equal(t, 4, occurrences(got, tag), "%q", name)
	}
	require.Equal(t, 2, occurrences("$a$a$", "$a$"))
	require.Panics(t, func() { Fill("$x$ $x$ $x$", "x", strings.NewReplacer()) })
}

// TestQuoteLive: what the server reads from QuoteIdent and QuoteLiteral is
// the name itself, also in a LATIN1 database with a LATIN1 client, where
// the escapes keep the script independent of the client encoding.
func TestQuoteLive(t *testing.T) {
	names := []string{`plain`, `Upper "q" 'l' \ $$ $x$ ;--`, "tab\there\nnewline", "Ünïcødé", "名前 😀"}
	pgtest.EachDB(t, func(t *testing.T, db *pgtest.DB) {
		ctx := t.Context()
		conn, err := db.Pool.Acquire(ctx)
		require.NoError(t, err)
		defer conn.Release()
		for _, n := range names {
			if db.Encoding == "LATIN1" && strings.ContainsAny(n, "名😀") {
				_, err := conn.Exec(ctx, "SELECT "+QuoteLiteral(n))
				code, _, _ := pgtest.ErrorOf(err)
				require.Equal(t, "22P05", code, "%q", n)
				continue
			}
			// The literal and the identifier (a column name), both read
			// back as UTF-8 bytes whatever the client encoding.
			var lit, col []byte
			err := conn.QueryRow(ctx, "SELECT pg_catalog.convert_to("+QuoteLiteral(n)+", 'UTF8')").Scan(&lit)
			require.NoError(t, err, "%q", n)
			require.Equal(t, n, string(lit))
			_, err = conn.Exec(ctx, "CREATE TEMP TABLE t ("+QuoteIdent(n)+" int)")
			require.NoError(t, err, "%q", n)
			err = conn.QueryRow(ctx, "SELECT pg_catalog.convert_to(attname::text, 'UTF8') FROM pg_catalog.pg_attribute "+
				"WHERE attrelid = 'pg_temp.t'::regclass AND attnum = 1").Scan(&col)
			require.NoError(t, err)
			require.Equal(t, n, string(col))
			_, err = conn.Exec(ctx, "DROP TABLE pg_temp.t")
			require.NoError(t, err)
		}
	})
}
