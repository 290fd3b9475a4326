package auth

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pgjwt-go/pgjwt/internal/sqlerr"
	"github.com/pgjwt-go/pgjwt/internal/sqlname"
	"github.com/pgjwt-go/pgjwt/jwt"
)

//go:embed sql/*.sql
var schemaFiles embed.FS

// SchemaOption changes what InstallSchema installs.
//
// The name options take names verbatim, as quoted identifiers: case,
// spaces, quotes, "$$" and every other character are part of the name
// (WithPrivateSchema("Auth") is the schema "Auth", not auth). A name must
// be 1 to 63 bytes of UTF-8 without NUL, and at most 63 bytes in the
// database encoding too; InstallSchema refuses others with ErrInvalidName
// or ErrNameTooLong before it changes anything, rather than letting
// PostgreSQL silently truncate a long name.
type SchemaOption func(*schemaConfig)

type schemaConfig struct {
	private       string
	exposed       string
	anon          string
	authenticator string
	signSchema    string
	userRole      string // "": no account functions
	lifetime      time.Duration
	hashPolicy    HashPolicy
}

// Errors of the name options. Messages name the option and quote the name.
var (
	// ErrInvalidName: an empty name, or one with a NUL byte or invalid
	// UTF-8, which no PostgreSQL identifier can hold (42602, invalid_name).
	ErrInvalidName = sqlerr.New("auth", "42602", "invalid name")

	// ErrNameTooLong: a name longer than 63 bytes, in UTF-8 or in the
	// database encoding, which PostgreSQL would truncate with only a NOTICE
	// (42622, name_too_long).
	ErrNameTooLong = sqlerr.New("auth", "42622", "name is longer than 63 bytes")
)

// WithPrivateSchema names the schema of the users table, the triggers,
// user_role() and the jwt_token type (default "basic_auth"). Never expose it
// through PostgREST.
func WithPrivateSchema(name string) SchemaOption { return func(c *schemaConfig) { c.private = name } }

// WithExposedSchema names the existing schema login() goes to (default
// "public"): the one PostgREST exposes.
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
// installed. The default (also for "") is the private schema, so that none
// of them is exposed. With pgjwt installed, its sign() is used and this is
// ignored.
func WithSignSchema(name string) SchemaOption { return func(c *schemaConfig) { c.signSchema = name } }

// WithUserRole names the database role of the users signup() creates,
// and makes InstallSchema install the account functions of the exposed
// schema: signup(email, pass), executable by the anonymous role only, and
// change_password(pass, new_pass), executable by this role only, which
// changes the password of the user named by the email claim of the
// caller's token after checking the current one. Both return void
// (PostgREST answers 204) and raise what NewSignupHandler and
// NewChangePasswordHandler answer. The role is created NOLOGIN when missing
// and granted to the authenticator, so that PostgREST can switch to it.
// Without this option neither function is installed: nobody can sign up
// through PostgREST unless the deployment asks for it. Users of other roles
// need GRANT EXECUTE ON FUNCTION change_password(text, text) to them.
func WithUserRole(name string) SchemaOption { return func(c *schemaConfig) { c.userRole = name } }

// WithLoginLifetime sets how long the tokens of the SQL login() live
// (default one hour, the seed's 60*60). It must be a whole number of seconds;
// give the Service the same with WithTokenLifetime.
func WithLoginLifetime(d time.Duration) SchemaOption { return func(c *schemaConfig) { c.lifetime = d } }

// WithTriggerHashPolicy makes the table's encrypt_pass trigger hash new and
// changed passwords with crypt(pass, gen_salt(p.Algorithm, p.Cost)) instead
// of the seed's gen_salt('bf') (cost 6, DefaultHashPolicy, which installs
// the seed's text unchanged). It is how a PGStore's hashes reach a Service's
// WithHashPolicy: sign-ups and password changes in SQL and in Go, and the
// rehash after login, all go through the trigger. InstallSchema replaces the
// trigger function on every run, so pass the same option every time (an
// installation without it goes back to cost 6). The server must accept the
// gen_salt call (sha256crypt and sha512crypt need PostgreSQL 18), or the
// installation fails with its error and changes nothing.
func WithTriggerHashPolicy(p HashPolicy) SchemaOption {
	return func(c *schemaConfig) { c.hashPolicy = p.normalize() }
}

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
//
// Every name is quoted into the SQL (see SchemaOption), so no name, however
// hostile, can run SQL of its own; a bad name is refused with
// ErrInvalidName or ErrNameTooLong, a character the database encoding
// lacks with the server's 22P05, all before anything is created.
func InstallSchema(ctx context.Context, db TxBeginner, opts ...SchemaOption) (Installation, error) {
	cfg := schemaConfig{private: "basic_auth", exposed: "public", anon: "anon", authenticator: "authenticator",
		lifetime: time.Hour, hashPolicy: DefaultHashPolicy}
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
	var nameErr error
	err := pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		if nameErr = cfg.checkOnServer(ctx, tx); nameErr != nil {
			return nameErr
		}
		var err error
		inst, err = install(ctx, tx, cfg)
		return err
	})
	if nameErr != nil {
		return Installation{}, nameErr
	}
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
	var err error
	if inst.PgcryptoSchema, err = extensionSchema(ctx, tx, "pgcrypto"); err != nil {
		return Installation{}, fmt.Errorf("find pgcrypto: %w", err)
	}
	inst.SignSchema, err = extensionSchema(ctx, tx, "pgjwt")
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		inst.SignSchema, inst.CompatSign = cfg.signSchema, true
	case err != nil:
		return Installation{}, fmt.Errorf("find pgjwt: %w", err)
	}
	genSalt, err := triggerGenSalt(ctx, tx, inst.PgcryptoSchema, cfg.hashPolicy)
	if err != nil {
		return Installation{}, err
	}
	fill := strings.NewReplacer(
		"@private@", quoteIdent(cfg.private),
		"@private_lit@", quoteLiteral(cfg.private),
		"@exposed@", quoteIdent(cfg.exposed),
		"@pgcrypto@", quoteIdent(inst.PgcryptoSchema),
		"@sign@", quoteIdent(inst.SignSchema),
		"@anon@", quoteIdent(cfg.anon),
		"@anon_lit@", quoteLiteral(cfg.anon),
		"@authenticator@", quoteIdent(cfg.authenticator),
		"@authenticator_lit@", quoteLiteral(cfg.authenticator),
		"@lifetime@", strconv.FormatInt(int64(cfg.lifetime/time.Second), 10),
		"@gen_salt@", genSalt,
		"@user@", quoteIdent(cfg.userRole),
		"@user_lit@", quoteLiteral(cfg.userRole),
		"@max_pass@", strconv.Itoa(DefaultMaxPasswordLength),
		"@max_email@", strconv.Itoa(MaxEmailLength),
	)
	// Fill gives the $auth$ bodies a delimiter that no name holds.
	steps := []string{sqlname.Fill(readSQL("private.sql"), "auth", fill)}
	if inst.CompatSign {
		compat, err := jwt.CompatSQL(inst.SignSchema, jwt.WithPgcryptoSchema(inst.PgcryptoSchema))
		if err != nil {
			return Installation{}, err
		}
		steps = append(steps, "CREATE SCHEMA IF NOT EXISTS "+quoteIdent(inst.SignSchema), compat)
	}
	steps = append(steps, sqlname.Fill(readSQL("login.sql"), "auth", fill), sqlname.Fill(readSQL("roles.sql"), "auth", fill))
	if cfg.userRole != "" {
		steps = append(steps, sqlname.Fill(readSQL("account.sql"), "auth", fill))
	}
	for _, sql := range steps {
		// Simple protocol: each step is several statements, and none has
		// parameters (every name is quoted into the text).
		if _, err := tx.Exec(ctx, sql, pgx.QueryExecModeSimpleProtocol); err != nil {
			return Installation{}, err
		}
	}
	return inst, nil
}

// triggerGenSalt is the gen_salt call of the hashing trigger: the seed's
// text for the default policy, else one with the count, which the server
// must accept now rather than at the first sign-up.
func triggerGenSalt(ctx context.Context, tx pgx.Tx, pgcrypto string, p HashPolicy) (string, error) {
	fn := quoteIdent(pgcrypto) + ".gen_salt"
	if p == DefaultHashPolicy {
		return fn + "('bf')", nil
	}
	if err := p.checkAlgorithm(); err != nil {
		return "", fmt.Errorf("trigger hash policy: %w", err)
	}
	call := p.genSalt(fn)
	if _, err := tx.Exec(ctx, "SELECT "+call); err != nil {
		return "", fmt.Errorf("trigger hash policy %s: %w", p, err)
	}
	return call, nil
}

// extensionSchema returns the schema of an installed extension. The name
// comes as UTF-8 bytes, right whatever the client_encoding.
func extensionSchema(ctx context.Context, tx pgx.Tx, extension string) (string, error) {
	var b []byte
	err := tx.QueryRow(ctx, extensionSchemaQuery, extension).Scan(&b)
	return string(b), err
}

const extensionSchemaQuery = `SELECT pg_catalog.convert_to(n.nspname::text, 'UTF8')
  FROM pg_catalog.pg_extension AS e
  JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace WHERE e.extname = $1`

func readSQL(name string) string {
	b, err := schemaFiles.ReadFile("sql/" + name)
	if err != nil {
		panic("auth: embedded " + name + " missing: " + err.Error()) // a build defect, not input
	}
	return string(b)
}

// namedOption is a name the installer quotes into its SQL, with what it
// names and the option that sets it, for the error messages.
type namedOption struct{ what, option, name string }

func (c schemaConfig) names() []namedOption {
	names := []namedOption{
		{"private schema", "WithPrivateSchema", c.private},
		{"exposed schema", "WithExposedSchema", c.exposed},
		{"anonymous role", "WithAnonRole", c.anon},
		{"authenticator role", "WithAuthenticatorRole", c.authenticator},
		{"sign schema", "WithSignSchema", c.signSchema},
	}
	if c.userRole != "" {
		names = append(names, namedOption{"user role", "WithUserRole", c.userRole})
	}
	return names
}

// refuse returns the error for a bad name: why says what is wrong.
func (n namedOption) refuse(why string, tooLong bool) error {
	msg := fmt.Sprintf("%s name (%s) %q %s", n.what, n.option, n.name, why)
	if tooLong {
		return ErrNameTooLong.With(msg)
	}
	return ErrInvalidName.With(msg)
}

func (c schemaConfig) validate() error {
	for _, n := range c.names() {
		if why, tooLong := sqlname.Check(n.name); why != "" {
			return n.refuse(why, tooLong)
		}
	}
	if c.lifetime <= 0 || c.lifetime%time.Second != 0 || c.lifetime/time.Second > 1<<31-1 {
		return fmt.Errorf("auth: login lifetime %v: want a positive whole number of seconds that fits an integer", c.lifetime)
	}
	return nil
}

// checkOnServer measures every name in the database encoding, where a name
// short in UTF-8 may still exceed 63 bytes (EUC_TW, MULE_INTERNAL), and
// where a character the encoding lacks fails with 22P05.
func (c schemaConfig) checkOnServer(ctx context.Context, tx pgx.Tx) error {
	for _, n := range c.names() {
		var size int
		var encoding string
		err := tx.QueryRow(ctx, "SELECT pg_catalog.octet_length("+quoteLiteral(n.name)+
			"), pg_catalog.current_setting('server_encoding')").Scan(&size, &encoding)
		if err != nil {
			return fmt.Errorf("auth: %s name (%s) %q: %w", n.what, n.option, n.name, err)
		}
		if size > sqlname.MaxLen {
			return n.refuse(fmt.Sprintf("is %d bytes long in the database encoding %s; PostgreSQL would silently truncate it to %d",
				size, encoding, sqlname.MaxLen), true)
		}
	}
	return nil
}

// quoteIdent quotes a name as one SQL identifier, in ASCII.
func quoteIdent(name string) string { return sqlname.QuoteIdent(name) }

// quoteLiteral quotes s as an escape-string literal, which reads the same
// whatever standard_conforming_strings and client_encoding say.
func quoteLiteral(s string) string { return sqlname.QuoteLiteral(s) }
