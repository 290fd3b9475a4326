package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
	"github.com/pgjwt-go/pgjwt/jwt"
)

// hostileNames are names that try to end what the installer quotes them
// into: the dollar-quote delimiters of the SQL (also the ones the installer
// falls back to), quotes, comments, placeholders of the templates, line
// breaks, backslashes; and legal names that need quoting. Each must be
// installed under exactly that name, or be refused before anything exists.
var hostileNames = []string{
	`$auth$`,
	`x$auth$`,
	`$pgjwt_go$`,
	`$$`,
	`$auth$$auth_1$ $pgjwt_go$$pgjwt_go_1$`,
	`s$auth$;DROP TABLE public.sentinel;SELECT $auth$`,
	`s$pgjwt_go$;DROP TABLE public.sentinel;SELECT $pgjwt_go$`,
	`"`,
	`'`,
	`";DROP TABLE public.sentinel;--`,
	`';DROP TABLE public.sentinel;--`,
	`;DROP TABLE public.sentinel;--`,
	"x\nDROP TABLE public.sentinel; --",
	"tab\tcr\r\n",
	`/* open comment`,
	`a\b\'\"\`,
	`@private@ @sign@`,
	`@pgcrypto@`,
	`@schema@ @schema_lit@`,
	`$1 %s %I %L`,
	`Upper Case With Spaces`,
	`Ünïcødé ☃ 名前 😀`,
	strings.Repeat("é", 31) + "x", // 63 bytes, the longest name
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

// sanitize quotes an identifier for the tests' own SQL, independently of
// the quoting under test.
func sanitize(name string) string { return pgx.Identifier{name}.Sanitize() }

// objectsQuery lists the objects of a database that an installation can
// add or remove (the system schemas and NOT NULL constraints, which
// PostgreSQL 18 lists, left out) and the roles named in $1 with their
// memberships.
const objectsQuery = `
WITH ns AS (SELECT oid, nspname::text AS nsp FROM pg_catalog.pg_namespace
             WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
               AND nspname !~ '^pg_(toast_)?temp_')
SELECT 'schema', nsp, '' FROM ns
UNION ALL SELECT 'function', ns.nsp, p.proname::text FROM pg_catalog.pg_proc AS p JOIN ns ON ns.oid = p.pronamespace
UNION ALL SELECT 'relation ' || c.relkind::text, ns.nsp, c.relname::text FROM pg_catalog.pg_class AS c JOIN ns ON ns.oid = c.relnamespace
UNION ALL SELECT 'type', ns.nsp, t.typname::text FROM pg_catalog.pg_type AS t JOIN ns ON ns.oid = t.typnamespace
UNION ALL SELECT 'constraint', ns.nsp, co.conname::text FROM pg_catalog.pg_constraint AS co JOIN ns ON ns.oid = co.connamespace
   WHERE co.contype <> 'n'
UNION ALL SELECT 'trigger', ns.nsp, tg.tgname::text FROM pg_catalog.pg_trigger AS tg
   JOIN pg_catalog.pg_class AS c ON c.oid = tg.tgrelid JOIN ns ON ns.oid = c.relnamespace
UNION ALL SELECT 'extension', e.extname::text, ns.nsp FROM pg_catalog.pg_extension AS e JOIN ns ON ns.oid = e.extnamespace
UNION ALL SELECT 'role', rolname::text, '' FROM pg_catalog.pg_roles WHERE rolname = ANY($1)
UNION ALL SELECT 'member', r.rolname::text, m.rolname::text FROM pg_catalog.pg_auth_members AS am
   JOIN pg_catalog.pg_roles AS r ON r.oid = am.roleid JOIN pg_catalog.pg_roles AS m ON m.oid = am.member
  WHERE r.rolname = ANY($1) OR m.rolname = ANY($1)`

// objects snapshots objectsQuery's rows (see pgtest.Objects).
func objects(t *testing.T, pool *pgxpool.Pool, roles []string) map[string]bool {
	return pgtest.Objects(t, pool, objectsQuery, roles)
}

// installedObjects is what InstallSchema adds when pgjwt is absent and the
// exposed schema exists.
func installedObjects(private, exposed, sign, anon, authn string) []string {
	var want []string
	add := func(kind, a, b string) { want = append(want, pgtest.ObjectKey(kind, a, b)) }
	add("schema", private, "")
	if sign != private {
		add("schema", sign, "")
	}
	for _, f := range []string{"check_role_exists", "encrypt_pass", "user_role"} {
		add("function", private, f)
	}
	add("function", exposed, "login")
	for _, f := range []string{"url_encode", "url_decode", "algorithm_sign", "sign", "try_cast_double", "verify"} {
		add("function", sign, f)
	}
	add("relation r", private, "users")
	add("relation i", private, "users_pkey")
	add("relation c", private, "jwt_token")
	for _, ty := range []string{"users", "_users", "jwt_token", "_jwt_token"} {
		add("type", private, ty)
	}
	for _, c := range []string{"users_pkey", "users_email_check", "users_pass_check", "users_role_check", "ensure_user_role_exists"} {
		add("constraint", private, c)
	}
	add("trigger", private, "ensure_user_role_exists")
	add("trigger", private, "encrypt_pass")
	add("role", anon, "")
	add("role", authn, "")
	add("member", anon, authn)
	sort.Strings(want)
	return want
}

// dropRolesLater registers the removal of the roles in *roles, cluster-wide
// objects, to run after the databases created later are dropped.
func dropRolesLater(t *testing.T, c *pgtest.Cluster, roles *[]string) {
	t.Cleanup(func() {
		for _, r := range *roles {
			_, _ = c.UTF8.Pool.Exec(context.Background(), "DROP ROLE IF EXISTS "+sanitize(r))
		}
	})
}

// TestInstallSchemaHostileNames installs under every hostile name, with
// check_function_bodies on and off: exactly the intended objects appear
// under exactly those names, nothing else changes (the sentinel table
// survives), and login() works, also for the anonymous role.
func TestInstallSchemaHostileNames(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		for _, bodies := range []string{"on", "off"} {
			t.Run("check_function_bodies="+bodies, func(t *testing.T) {
				ctx := testCtx(t)
				var roles []string
				dropRolesLater(t, c, &roles)
				db := c.NewDatabase(t, "UTF8")
				_, err := db.Pool.Exec(ctx, "CREATE TABLE public.sentinel (x int)")
				require.NoError(t, err)
				for i, base := range hostileNames {
					private, exposed, sign := base, fitName(base, " api"), fitName(base, " sign")
					crypto := fitName(base, " crypto")
					anon, authn := fitName(base, uniqueName(" anon")), fitName(base, uniqueName(" authn"))
					roles = append(roles, anon, authn)
					_, err := db.Pool.Exec(ctx, "CREATE SCHEMA "+sanitize(exposed)+"; CREATE SCHEMA "+sanitize(crypto)+
						"; ALTER EXTENSION pgcrypto SET SCHEMA "+sanitize(crypto))
					require.NoError(t, err, "%d %q", i, base)
					before := objects(t, db.Pool, roles)

					conn, err := db.Pool.Acquire(ctx)
					require.NoError(t, err)
					_, err = conn.Exec(ctx, "SET check_function_bodies = "+bodies)
					require.NoError(t, err)
					inst, err := InstallSchema(ctx, conn.Conn(), WithPrivateSchema(private), WithExposedSchema(exposed),
						WithSignSchema(sign), WithAnonRole(anon), WithAuthenticatorRole(authn))
					conn.Release()
					require.NoError(t, err, "%d %q", i, base)
					require.Equal(t, Installation{PgcryptoSchema: crypto, SignSchema: sign, CompatSign: true}, inst)

					added, removed := pgtest.Changes(before, objects(t, db.Pool, roles))
					require.Empty(t, removed, "%d %q", i, base)
					require.Equal(t, installedObjects(private, exposed, sign, anon, authn), added, "%d %q", i, base)
					checkLogin(t, db.Pool, private, exposed, anon, authn)
				}
			})
		}
	})
}

// checkLogin logs in through exposed.login(), as the caller and as anon
// reached through authn, and checks the token names anon as its role.
func checkLogin(t *testing.T, pool *pgxpool.Pool, private, exposed, anon, authn string) {
	t.Helper()
	ctx := testCtx(t)
	tx, err := pool.Begin(ctx)
	require.NoError(t, err)
	defer tx.Rollback(ctx)
	_, err = tx.Exec(ctx, "SET LOCAL app.jwt_secret = '"+testSecret+"'")
	require.NoError(t, err)
	_, err = tx.Exec(ctx, "INSERT INTO "+sanitize(private)+".users VALUES ('a@b.c', 'pw', $1)", anon)
	require.NoError(t, err)
	for _, role := range []string{"", authn, anon} {
		if role != "" {
			_, err = tx.Exec(ctx, "SET LOCAL ROLE "+sanitize(role))
			require.NoError(t, err)
		}
		var token string
		require.NoError(t, tx.QueryRow(ctx, "SELECT (l).token FROM "+sanitize(exposed)+".login('a@b.c', 'pw') AS l").Scan(&token),
			"login as %q", role)
		res, err := jwt.Verify(token, testSecret, "HS256")
		require.NoError(t, err)
		require.Equal(t, jwt.Valid, res.Valid, "token %s", token)
		var claims struct{ Role string }
		require.NoError(t, json.Unmarshal(res.Payload, &claims))
		require.Equal(t, anon, claims.Role)
	}
}

// TestInstallSchemaRefusesNamesLive: names PostgreSQL cannot hold verbatim
// are refused, with the sentinel and the option named, before anything is
// created; so are names the server itself refuses (reserved prefixes).
func TestInstallSchemaRefusesNamesLive(t *testing.T) {
	type refusal struct {
		opt    func(string) SchemaOption
		option string
		name   string
		want   error  // a sentinel, or nil for a server error
		code   string // its SQLSTATE
	}
	var cases []refusal
	for _, o := range []struct {
		opt    func(string) SchemaOption
		option string
	}{
		{WithPrivateSchema, "WithPrivateSchema"}, {WithExposedSchema, "WithExposedSchema"},
		{WithSignSchema, "WithSignSchema"}, {WithAnonRole, "WithAnonRole"},
		{WithAuthenticatorRole, "WithAuthenticatorRole"},
	} {
		if o.option != "WithSignSchema" { // "" is the sign schema's default
			cases = append(cases, refusal{o.opt, o.option, "", ErrInvalidName, "42602"})
		}
		cases = append(cases,
			refusal{o.opt, o.option, "a\x00b", ErrInvalidName, "42602"},
			refusal{o.opt, o.option, "\xff$auth$", ErrInvalidName, "42602"},
			refusal{o.opt, o.option, strings.Repeat("x", 64), ErrNameTooLong, "42622"},
			refusal{o.opt, o.option, strings.Repeat("é", 32), ErrNameTooLong, "42622"},
			refusal{o.opt, o.option, "$auth$" + strings.Repeat("$", 58), ErrNameTooLong, "42622"},
		)
	}
	cases = append(cases,
		refusal{WithPrivateSchema, "", "pg_evil", nil, "42939"},
		refusal{WithSignSchema, "", "pg_evil", nil, "42939"},
		refusal{WithAnonRole, "", "pg_evil", nil, "42939"},
	)
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		ctx := testCtx(t)
		var roles []string
		dropRolesLater(t, c, &roles)
		db := c.NewDatabase(t, "UTF8")
		_, err := db.Pool.Exec(ctx, "CREATE TABLE public.sentinel (x int)")
		require.NoError(t, err)
		anon, authn := uniqueName("anon"), uniqueName("authn")
		roles = append(roles, anon, authn, "pg_evil")
		before := objects(t, db.Pool, roles)
		for _, tc := range cases {
			_, err := InstallSchema(ctx, db.Pool, WithAnonRole(anon), WithAuthenticatorRole(authn), tc.opt(tc.name))
			require.Error(t, err, "%s(%q)", tc.option, tc.name)
			code, _, _ := pgtest.ErrorOf(err)
			require.Equal(t, tc.code, code, "%s(%q): %v", tc.option, tc.name, err)
			if tc.want != nil {
				require.ErrorIs(t, err, tc.want)
				require.Contains(t, err.Error(), "("+tc.option+") "+fmt.Sprintf("%q", tc.name))
			}
			added, removed := pgtest.Changes(before, objects(t, db.Pool, roles))
			require.Empty(t, added, "%s(%q)", tc.option, tc.name)
			require.Empty(t, removed, "%s(%q)", tc.option, tc.name)
		}
	})
}

// TestInstallSchemaNamesEncodings: names are measured and converted in the
// database encoding, whatever the client encoding. A LATIN1 (EUC_TW) client
// on a LATIN1 (EUC_TW) database gets the name exactly (not its UTF-8 bytes
// read in the client encoding), a character LATIN1 lacks fails with 22P05,
// and in EUC_TW a name of 63 UTF-8 bytes but 84 EUC_TW bytes, which
// PostgreSQL would truncate, is refused (sent by a UTF8 client, which could
// carry the bytes as they are); nothing is created by the refusals.
func TestInstallSchemaNamesEncodings(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		for _, tc := range []struct {
			encoding, private, code string
			utf8Client              bool
		}{
			{"LATIN1", "Ünïcødé «$auth$»", "", false},
			{"LATIN1", "snow ☃", "22P05", false},
			{"EUC_TW", "名前 $auth$", "", false},
			// 万 (U+4E07) is 3 bytes in UTF-8, 4 in EUC_TW (CNS plane 2).
			{"EUC_TW", strings.Repeat("万", 21), "42622", true},
		} {
			t.Run(tc.encoding+"/"+tc.private, func(t *testing.T) {
				ctx := testCtx(t)
				var roles []string
				dropRolesLater(t, c, &roles)
				db := c.NewDatabase(t, tc.encoding)
				// The harness's pool keeps the database encoding as client
				// encoding; the catalog is read through a UTF8 one.
				cfg, err := pgxpool.ParseConfig(db.ConnString)
				require.NoError(t, err)
				cfg.ConnConfig.RuntimeParams["client_encoding"] = "UTF8"
				utf8Pool, err := pgxpool.NewWithConfig(ctx, cfg)
				require.NoError(t, err)
				defer utf8Pool.Close()
				anon, authn := uniqueName("anon"), uniqueName("authn")
				roles = append(roles, anon, authn)
				before := objects(t, utf8Pool, roles)
				pool := db.Pool
				if tc.utf8Client {
					pool = utf8Pool
				}
				_, err = InstallSchema(ctx, pool, WithPrivateSchema(tc.private), WithAnonRole(anon), WithAuthenticatorRole(authn))
				added, removed := pgtest.Changes(before, objects(t, utf8Pool, roles))
				require.Empty(t, removed)
				if tc.code != "" {
					code, _, _ := pgtest.ErrorOf(err)
					require.Equal(t, tc.code, code, "%v", err)
					require.Contains(t, err.Error(), "(WithPrivateSchema)")
					require.Empty(t, added)
					return
				}
				require.NoError(t, err)
				require.Equal(t, installedObjects(tc.private, "public", tc.private, anon, authn), added)
			})
		}
	})
}

// TestTemplates: the SQL files are ASCII (so the installer's SQL means the
// same in every client encoding), and no comment names a placeholder or the
// delimiter, which a name with a line break could end.
func TestTemplates(t *testing.T) {
	for _, f := range []string{"private.sql", "login.sql", "roles.sql", "account.sql"} {
		for i, line := range strings.Split(readSQL(f), "\n") {
			for _, r := range line {
				if r >= 0x80 {
					t.Errorf("%s:%d: not ASCII: %s", f, i+1, line)
					break
				}
			}
			if _, comment, ok := strings.Cut(line, "--"); ok {
				if strings.Count(comment, "@") >= 2 || strings.Contains(comment, "$auth$") {
					t.Errorf("%s:%d: a comment names a placeholder or the delimiter, which a name could end: %s", f, i+1, line)
				}
			}
		}
	}
}
