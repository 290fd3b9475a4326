package jwt

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
)

// hostileSchemas try to end what CompatSQL quotes them into: its
// dollar-quote delimiters (also the fallbacks), quotes, comments, line
// breaks, placeholders; and legal names that need quoting.
var hostileSchemas = []string{
	`$pgjwt_go$`,
	`x$pgjwt_go$`,
	`$$`,
	`$pgjwt_go$$pgjwt_go_1$`,
	`s$pgjwt_go$;DROP TABLE public.sentinel;SELECT $pgjwt_go$`,
	`"`,
	`'`,
	`";DROP TABLE public.sentinel;--`,
	`';DROP TABLE public.sentinel;--`,
	"x\nDROP TABLE public.sentinel; --",
	`/* open comment`,
	`a\b\'\"\`,
	`@schema@ @pgcrypto_lit@`,
	`Upper Case With Spaces`,
	`Ünïcødé ☃ 名前 😀`,
	strings.Repeat("é", 31) + "x", // 63 bytes
}

// fitName appends suffix to base, shortening base (at a character
// boundary) so that the name keeps to 63 bytes.
func fitName(base, suffix string) string {
	n := len(base)
	for n+len(suffix) > 63 {
		n--
		for n > 0 && !utf8.RuneStart(base[n]) {
			n--
		}
	}
	return base[:n] + suffix
}

// userObjects lists the schemas, functions and relations outside the
// system schemas as "kind "schema" "name"".
func userObjects(t *testing.T, pool *pgxpool.Pool) map[string]bool {
	return pgtest.Objects(t, pool, `
WITH ns AS (SELECT oid, nspname::text AS nsp FROM pg_catalog.pg_namespace
             WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
               AND nspname !~ '^pg_(toast_)?temp_')
SELECT 'schema', nsp, '' FROM ns
UNION ALL SELECT 'function', ns.nsp, p.proname::text FROM pg_catalog.pg_proc AS p JOIN ns ON ns.oid = p.pronamespace
UNION ALL SELECT 'relation', ns.nsp, c.relname::text FROM pg_catalog.pg_class AS c JOIN ns ON ns.oid = c.relnamespace`)
}

func compatFunctions(schema string) []string {
	var want []string
	for _, f := range []string{"algorithm_sign", "sign", "try_cast_double", "url_decode", "url_encode", "verify"} {
		want = append(want, pgtest.ObjectKey("function", schema, f))
	}
	sort.Strings(want)
	return want
}

// TestCompatSQLHostileNames runs CompatSQL on the server for every hostile
// schema name (pgcrypto in another hostile schema), with
// check_function_bodies on and off: exactly the six functions appear, in
// exactly that schema, nothing else changes, and sign() answers as Sign.
func TestCompatSQLHostileNames(t *testing.T) {
	payload := `{"role":"web_anon"}`
	want, err := Sign(json.RawMessage(payload), "secret", "HS256")
	require.NoError(t, err)
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		for _, bodies := range []string{"on", "off"} {
			t.Run("check_function_bodies="+bodies, func(t *testing.T) {
				db := c.NewDatabase(t, "UTF8")
				_, err := db.Pool.Exec(ctx(t), "CREATE TABLE public.sentinel (x int)")
				require.NoError(t, err)
				for _, schema := range hostileSchemas {
					crypto := fitName(schema, " c")
					_, err := db.Pool.Exec(ctx(t), "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize()+"; CREATE SCHEMA "+
						pgx.Identifier{crypto}.Sanitize()+"; ALTER EXTENSION pgcrypto SET SCHEMA "+pgx.Identifier{crypto}.Sanitize())
					require.NoError(t, err, "%q", schema)
					before := userObjects(t, db.Pool)
					sql, err := CompatSQL(schema, WithPgcryptoSchema(crypto))
					require.NoError(t, err)
					conn, err := db.Pool.Acquire(ctx(t))
					require.NoError(t, err)
					_, err = conn.Exec(ctx(t), "SET check_function_bodies = "+bodies)
					require.NoError(t, err)
					_, err = conn.Exec(ctx(t), sql)
					conn.Release()
					require.NoError(t, err, "%q", schema)
					added, removed := pgtest.Changes(before, userObjects(t, db.Pool))
					require.Empty(t, removed, "%q", schema)
					require.Equal(t, compatFunctions(schema), added, "%q", schema)
					var tok string
					require.NoError(t, db.Pool.QueryRow(ctx(t), "SELECT "+pgx.Identifier{schema}.Sanitize()+".sign($1::json, 'secret')", payload).Scan(&tok))
					require.Equal(t, want, tok)
				}
			})
		}
	})
}

func TestCompatSQLRefusesNames(t *testing.T) {
	for _, tc := range []struct {
		schema, pgcrypto string
		want             error
		msg              string
	}{
		{"a\x00b", "", ErrInvalidName, `jwt: CompatSQL: schema name "a\x00b" contains a NUL byte`},
		{"\xff$pgjwt_go$", "", ErrInvalidName, `jwt: CompatSQL: schema name "\xff$pgjwt_go$" is not valid UTF-8`},
		{strings.Repeat("x", 64), "public", ErrNameTooLong, `jwt: CompatSQL: schema name "` + strings.Repeat("x", 64) +
			`" is 64 bytes long; PostgreSQL would silently truncate it to 63`},
		{"ok", strings.Repeat("é", 32), ErrNameTooLong, `jwt: CompatSQL: pgcrypto schema name (WithPgcryptoSchema) "` +
			strings.Repeat("é", 32) + `" is 64 bytes long; PostgreSQL would silently truncate it to 63`},
	} {
		sql, err := CompatSQL(tc.schema, WithPgcryptoSchema(tc.pgcrypto))
		require.Empty(t, sql)
		require.ErrorIs(t, err, tc.want)
		require.Equal(t, tc.msg, err.Error())
		require.Equal(t, tc.want.(*Error).Code, err.(*Error).SQLState())
	}
}

// TestCompatSQLEncodings: the script is ASCII, so a LATIN1 client on a
// LATIN1 database creates the functions under the very name given (not its
// UTF-8 bytes read as LATIN1); in EUC_TW, where a name of 63 UTF-8 bytes
// takes 84, the script refuses it (42622) rather than letting PostgreSQL
// truncate it into an existing schema, and creates nothing.
func TestCompatSQLEncodings(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		for _, tc := range []struct {
			encoding, schema, truncated, code string
		}{
			{"LATIN1", "Ünïcødé «$pgjwt_go$»", "", ""},
			// 万 (U+4E07) is 3 bytes in UTF-8, 4 in EUC_TW (CNS plane 2);
			// PostgreSQL would cut the name to 15 of them.
			{"EUC_TW", strings.Repeat("万", 21), strings.Repeat("万", 15), "42622"},
		} {
			t.Run(tc.encoding, func(t *testing.T) {
				db := c.NewDatabase(t, tc.encoding)
				cfg, err := pgxpool.ParseConfig(db.ConnString)
				require.NoError(t, err)
				cfg.ConnConfig.RuntimeParams["client_encoding"] = "UTF8"
				utf8Pool, err := pgxpool.NewWithConfig(ctx(t), cfg)
				require.NoError(t, err)
				defer utf8Pool.Close()
				if tc.truncated != "" {
					_, err = utf8Pool.Exec(ctx(t), "CREATE SCHEMA "+pgx.Identifier{tc.truncated}.Sanitize())
				} else {
					_, err = utf8Pool.Exec(ctx(t), "CREATE SCHEMA "+pgx.Identifier{tc.schema}.Sanitize())
				}
				require.NoError(t, err)
				before := userObjects(t, utf8Pool)
				sql, err := CompatSQL(tc.schema, WithPgcryptoSchema("public"))
				require.NoError(t, err)
				// LATIN1: the database's own client encoding; EUC_TW: UTF8,
				// which could carry the name's bytes as they are.
				pool := db.Pool
				if tc.encoding == "EUC_TW" {
					pool = utf8Pool
				}
				_, err = pool.Exec(ctx(t), sql)
				added, removed := pgtest.Changes(before, userObjects(t, utf8Pool))
				require.Empty(t, removed)
				if tc.code != "" {
					code, _, _ := pgtest.ErrorOf(err)
					require.Equal(t, tc.code, code, "%v", err)
					require.Empty(t, added)
					return
				}
				require.NoError(t, err)
				require.Equal(t, compatFunctions(tc.schema), added)
			})
		}
	})
}

func TestCompatSQLTemplate(t *testing.T) {
	for i, line := range strings.Split(compatSQL, "\n") {
		if _, comment, ok := strings.Cut(line, "--"); ok {
			if strings.Count(comment, "@") >= 2 || strings.Contains(comment, "$pgjwt_go$") {
				t.Errorf("pgjwt.sql:%d: a comment names a placeholder or the delimiter, which a name could end: %s", i+1, line)
			}
		}
	}
	sql, err := CompatSQL("plain")
	require.NoError(t, err)
	for i := 0; i < len(sql); i++ {
		if sql[i] >= 0x80 {
			t.Fatalf("CompatSQL is not ASCII at byte %d", i)
		}
	}
}
