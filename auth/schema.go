package auth

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/pgjwt-go/pgjwt/jwt"
)

//go:embed sql/*.sql
var schemaFiles embed.FS

// SchemaOption changes what InstallSchema installs.
type SchemaOption func(*schemaConfig)

type schemaConfig struct {
	private       string
	exposed       string
	anon          string
	authenticator string
	signSchema    string
	lifetime      time.Duration
}

// WithPrivateSchema names the schema of the users table, the triggers,
// user_role() and the jwt_token type (default "basic_auth"). Never expose it
// through PostgREST.
func WithPrivateSchema(name string) SchemaOption { return func(c *schemaConfig) { c.private = name } }

// WithExposedSchema names the schema login() goes to (default "public"): the
// one PostgREST exposes.
func WithExposedSchema(name string) SchemaOption { return func(c *schemaConfig) { c.exposed = name } }

// WithAnonRole names PostgREST's db-anon-role (default "anon"); it is created
// NOINHERIT when missing and may execute login().
func WithAnonRole(name string) SchemaOption { return func(c *schemaConfig) { c.anon = name } }

// WithAuthenticatorRole names PostgREST's connecting role (default
// "authenticator"); it is created NOINHERIT when missing and granted the
// anonymous role.
func WithAuthenticatorRole(name string) SchemaOption {
	return func(c *schemaConfig) { c.authenticator = name }
}

// WithSignSchema names the schema that receives this project's own
// pgjwt-compatible functions (jwt.CompatSQL) when the pgjwt extension is not
// installed. The default is the private schema, so that none of them is
// exposed. With pgjwt installed, its sign() is used and this is ignored.
func WithSignSchema(name string) SchemaOption { return func(c *schemaConfig) { c.signSchema = name } }

// WithLoginLifetime sets how long the tokens of the SQL login() live
// (default one hour, the seed's 60*60). It must be a whole number of seconds;
// give the Service the same with WithTokenLifetime.
func WithLoginLifetime(d time.Duration) SchemaOption { return func(c *schemaConfig) { c.lifetime = d } }

// Installation reports what InstallSchema found and did.
type Installation struct {
	PgcryptoSchema string // where pgcrypto lives (created there when missing)
	SignSchema     string // the schema whose sign() login() calls
	CompatSign     bool   // true: pgjwt was absent, jwt.CompatSQL was installed
}

// TxBeginner starts a transaction: *pgxpool.Pool, *pgx.Conn and pgx.Tx are
// ones.
type TxBeginner interface {
	Begin(ctx context.Context) (pgx.Tx, error)
}

// installLock serialises installations into one database, so that two
// services starting at once do not race on CREATE … IF NOT EXISTS.
const installLock = 0x706a7761 // "pjwa"

// InstallSchema installs the seed's SQL user management into the database
// in one transaction: pgcrypto (CREATE EXTENSION IF NOT EXISTS), the private
// schema with the users table, its checks and triggers, user_role() and
// jwt_token; login(email, pass) in the exposed schema (SECURITY DEFINER,
// signing with the database setting app.jwt_secret); the anonymous and
// authenticator roles when missing, and the grants PostgREST needs. When the
// pgjwt extension is not installed, login() signs with jwt.CompatSQL's sign,
// installed into the sign schema, so it works on plain PostgreSQL.
//
// Installing again changes nothing: existing objects are kept or replaced by
// identical ones, and no row is touched. The caller needs the rights to
// create schemas, roles and (unless present) the pgcrypto extension; a
// superuser or the database owner with CREATEROLE.
func InstallSchema(ctx context.Context, db TxBeginner, opts ...SchemaOption) (Installation, error) {
	cfg := schemaConfig{private: "basic_auth", exposed: "public", anon: "anon", authenticator: "authenticator",
		lifetime: time.Hour}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.signSchema == "" {
		cfg.signSchema = cfg.private
	}
	if err := cfg.validate(); err != nil {
		return Installation{}, err
	}
	var inst Installation
	err := pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		var err error
		inst, err = install(ctx, tx, cfg)
		return err
	})
	if err != nil {
		return Installation{}, fmt.Errorf("auth: install schema: %w", err)
	}
	return inst, nil
}

func install(ctx context.Context, tx pgx.Tx, cfg schemaConfig) (Installation, error) {
	if _, err := tx.Exec(ctx, "SELECT pg_catalog.pg_advisory_xact_lock($1)", int64(installLock)); err != nil {
		return Installation{}, err
	}
	if _, err := tx.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS pgcrypto"); err != nil {
		return Installation{}, err
	}
	var inst Installation
	if err := tx.QueryRow(ctx, extensionSchemaQuery, "pgcrypto").Scan(&inst.PgcryptoSchema); err != nil {
		return Installation{}, fmt.Errorf("find pgcrypto: %w", err)
	}
	err := tx.QueryRow(ctx, extensionSchemaQuery, "pgjwt").Scan(&inst.SignSchema)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		inst.SignSchema, inst.CompatSign = cfg.signSchema, true
	case err != nil:
		return Installation{}, fmt.Errorf("find pgjwt: %w", err)
	}
	fill := strings.NewReplacer(
		"@private@", quoteIdent(cfg.private),
		"@private_lit@", quoteLiteral(cfg.private),
		"@users_regclass@", quoteLiteral(quoteIdent(cfg.private)+".users"),
		"@exposed@", quoteIdent(cfg.exposed),
		"@pgcrypto@", quoteIdent(inst.PgcryptoSchema),
		"@sign@", quoteIdent(inst.SignSchema),
		"@anon@", quoteIdent(cfg.anon),
		"@anon_lit@", quoteLiteral(cfg.anon),
		"@authenticator@", quoteIdent(cfg.authenticator),
		"@authenticator_lit@", quoteLiteral(cfg.authenticator),
		"@lifetime@", strconv.FormatInt(int64(cfg.lifetime/time.Second), 10),
	)
	steps := []string{fill.Replace(readSQL("private.sql"))}
	if inst.CompatSign {
		compat, err := jwt.CompatSQL(inst.SignSchema, jwt.WithPgcryptoSchema(inst.PgcryptoSchema))
		if err != nil {
			return Installation{}, err
		}
		steps = append(steps, "CREATE SCHEMA IF NOT EXISTS "+quoteIdent(inst.SignSchema), compat)
	}
	steps = append(steps, fill.Replace(readSQL("login.sql")), fill.Replace(readSQL("roles.sql")))
	for _, sql := range steps {
		// Simple protocol: each step is several statements, and none has
		// parameters (every name is quoted into the text).
		if _, err := tx.Exec(ctx, sql, pgx.QueryExecModeSimpleProtocol); err != nil {
			return Installation{}, err
		}
	}
	return inst, nil
}

const extensionSchemaQuery = `SELECT n.nspname FROM pg_catalog.pg_extension AS e
  JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace WHERE e.extname = $1`

func readSQL(name string) string {
	b, err := schemaFiles.ReadFile("sql/" + name)
	if err != nil {
		panic("auth: embedded " + name + " missing: " + err.Error()) // a build defect, not input
	}
	return string(b)
}

func (c schemaConfig) validate() error {
	for _, n := range []struct{ what, name string }{
		{"private schema", c.private}, {"exposed schema", c.exposed}, {"anonymous role", c.anon},
		{"authenticator role", c.authenticator}, {"sign schema", c.signSchema},
	} {
		if err := checkIdentifier(n.name); err != nil {
			return fmt.Errorf("auth: %s: %w", n.what, err)
		}
	}
	if c.lifetime <= 0 || c.lifetime%time.Second != 0 || c.lifetime/time.Second > 1<<31-1 {
		return fmt.Errorf("auth: login lifetime %v: want a positive whole number of seconds that fits an integer", c.lifetime)
	}
	return nil
}

// checkIdentifier refuses names PostgreSQL would refuse or shorten: empty,
// holding NUL or invalid UTF-8, or longer than 63 bytes (which PostgreSQL
// would truncate with only a NOTICE).
func checkIdentifier(name string) error {
	switch {
	case name == "":
		return errors.New("empty name")
	case strings.IndexByte(name, 0) >= 0 || !utf8.ValidString(name):
		return fmt.Errorf("name %q is not valid text", name)
	case len(name) > 63:
		return fmt.Errorf("name %q is longer than 63 bytes", name)
	}
	return nil
}

// quoteIdent quotes a name as one SQL identifier.
func quoteIdent(name string) string { return pgx.Identifier{name}.Sanitize() }

// quoteLiteral quotes s as an escape-string literal, which reads the same
// whatever standard_conforming_strings says.
func quoteLiteral(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	return "E'" + strings.ReplaceAll(s, "'", "''") + "'"
}
