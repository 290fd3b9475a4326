package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/pgjwt-go/pgjwt/crypt"
	"github.com/pgjwt-go/pgjwt/internal/sqlerr"
	"github.com/pgjwt-go/pgjwt/internal/sqlname"
)

// DB is what PGStore needs from a connection: *pgxpool.Pool, *pgx.Conn and
// pgx.Tx are ones.
type DB interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// PGStore is the Store on the basic_auth.users table that InstallSchema
// created (or the SQL of the seed). Sign-ups and password changes go through
// the table, so its triggers check and hash exactly as for SQL callers;
// logins only read the stored hash, so bcrypt runs in Go, not in the
// database. Users created in SQL log in through Go and the other way round.
//
// Its errors are MemStore's for the same input, and carry nothing of the
// row or the parameters: PostgreSQL's DETAIL "Failing row contains (…)"
// (which holds the password hash), error context and internal query are
// dropped (see the Store interface). Emails of new users are limited to
// MaxEmailLength characters.
type PGStore struct {
	db       DB
	codec    textCodec
	crypt    crypt.Version
	insert   string
	update   string
	delete   string
	lookup   string
	rehash   string
	schema   string
	usersTab string
}

// PGStoreOption changes a PGStore.
type PGStoreOption func(*PGStore)

// WithUsersSchema names the schema of the users table (default
// "basic_auth"); match WithPrivateSchema. The name is taken verbatim, and
// NewPGStore refuses one InstallSchema would refuse (ErrInvalidName,
// ErrNameTooLong).
func WithUsersSchema(name string) PGStoreOption {
	return func(s *PGStore) { s.schema = name }
}

// NewPGStore returns the store on db. It asks the server once for the
// client and server encodings (UTF8 and LATIN1 are supported: passwords are
// verified in the bytes crypt() in the database sees) and its major version
// (for crypt's per-major rules). All connections of db must share these
// settings.
//
// It checks that the users table is there as InstallSchema makes it: a
// table with columns email, pass and role of string types, the triggers
// encrypt_pass (without which passwords would be stored in clear) and
// ensure_user_role_exists, enabled. Otherwise it fails with
// ErrSchemaNotInstalled, naming what is missing. It also fails, with
// PostgreSQL's 42501 error, when the connection's role may not read the
// table (USAGE on the schema, SELECT on the three columns): logins would.
func NewPGStore(ctx context.Context, db DB, opts ...PGStoreOption) (*PGStore, error) {
	s := &PGStore{db: db, schema: "basic_auth"}
	for _, o := range opts {
		o(s)
	}
	// The same rule as InstallSchema's names: the server would cut a long
	// name to another one, and a NUL cannot be sent at all.
	n := namedOption{"users schema", "WithUsersSchema", s.schema}
	if why, tooLong := sqlname.Check(n.name); why != "" {
		return nil, n.refuse(why, tooLong)
	}
	s.usersTab = quoteIdent(s.schema) + ".users"
	var client, server string
	var version int
	err := db.QueryRow(ctx, `SELECT pg_catalog.current_setting('client_encoding'),
		pg_catalog.current_setting('server_encoding'), pg_catalog.current_setting('server_version_num')::int`).
		Scan(&client, &server, &version)
	if err != nil {
		return nil, fmt.Errorf("auth: read server settings: %w", err)
	}
	codec, ok := newTextCodec(client, server)
	if !ok {
		return nil, fmt.Errorf("auth: client encoding %s with server encoding %s is not supported "+
			"(UTF8 or LATIN1 on both sides, or a UTF8 client on LATIN1 are)", client, server)
	}
	if err := s.checkTable(ctx); err != nil {
		return nil, err
	}
	// crypt words its messages for the database encoding, as the server does.
	s.codec, s.crypt = codec, crypt.ForVersion(version/10000, crypt.WithEncoding(server))
	s.insert = "INSERT INTO " + s.usersTab + " (email, pass, role) VALUES ($1, $2, $3)"
	s.update = "UPDATE " + s.usersTab + " SET pass = $2 WHERE email = $1"
	s.delete = "DELETE FROM " + s.usersTab + " WHERE email = $1"
	s.lookup = "SELECT pass, role FROM " + s.usersTab + " WHERE email = $1"
	s.rehash = "UPDATE " + s.usersTab + " SET pass = $3 WHERE email = $1 AND pass = $2 RETURNING pass"
	return s, nil
}

// The catalog queries of checkTable: the relation, then each column.
const (
	usersRelationQuery = `SELECT c.oid, c.relkind::text, pg_catalog.has_schema_privilege(n.oid, 'USAGE'),
       (SELECT t.tgenabled::text FROM pg_catalog.pg_trigger AS t WHERE t.tgrelid = c.oid AND t.tgname = 'encrypt_pass'),
       (SELECT t.tgenabled::text FROM pg_catalog.pg_trigger AS t WHERE t.tgrelid = c.oid AND t.tgname = 'ensure_user_role_exists')
  FROM pg_catalog.pg_class AS c JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
 WHERE n.nspname = $1 AND c.relname = 'users'`
	usersColumnQuery = `SELECT t.typcategory = 'S', pg_catalog.format_type(a.atttypid, a.atttypmod),
       pg_catalog.has_column_privilege(a.attrelid, a.attnum, 'SELECT')
  FROM pg_catalog.pg_attribute AS a JOIN pg_catalog.pg_type AS t ON t.oid = a.atttypid
 WHERE a.attrelid = $1 AND a.attname = $2 AND a.attnum > 0 AND NOT a.attisdropped`
)

// checkTable finds the users table with what the store and the Service
// rely on, in the order PostgreSQL would complain about it.
func (s *PGStore) checkTable(ctx context.Context) error {
	var oid uint32
	var kind string
	var usage bool
	var hashTrigger, roleTrigger *string
	err := s.db.QueryRow(ctx, usersRelationQuery, s.schema).Scan(&oid, &kind, &usage, &hashTrigger, &roleTrigger)
	if errors.Is(err, pgx.ErrNoRows) {
		return s.notInstalled("42P01", `relation "`+s.schema+`.users" does not exist`)
	}
	if err != nil {
		return fmt.Errorf("auth: NewPGStore: read the catalog: %w", err)
	}
	if !usage {
		return s.unreadable("schema " + s.schema)
	}
	if kind != "r" && kind != "p" {
		return s.notInstalled("42809", `"users" is not a table`)
	}
	readable := true
	for _, col := range []string{"email", "pass", "role"} {
		var isString, canSelect bool
		var typ string
		err := s.db.QueryRow(ctx, usersColumnQuery, oid, col).Scan(&isString, &typ, &canSelect)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return s.notInstalled("42703", `column "`+col+`" of relation "users" does not exist`)
		case err != nil:
			return fmt.Errorf("auth: NewPGStore: read the catalog: %w", err)
		case !isString:
			return s.notInstalled("42804", `column "`+col+`" of relation "users" is of type `+typ+`, not a string type`)
		}
		readable = readable && canSelect
	}
	if !readable {
		return s.unreadable("table users")
	}
	for _, tr := range []struct {
		name    string
		enabled *string
	}{{"encrypt_pass", hashTrigger}, {"ensure_user_role_exists", roleTrigger}} {
		switch {
		case tr.enabled == nil:
			return s.notInstalled("42704", `trigger "`+tr.name+`" for table "users" does not exist`)
		case *tr.enabled != "O" && *tr.enabled != "A": // D is disabled, R fires only on replicas
			return s.notInstalled("55000", `trigger "`+tr.name+`" for table "users" is disabled`)
		}
	}
	return nil
}

// notInstalled returns an ErrSchemaNotInstalled with this SQLSTATE and
// message, and the advice to install the schema.
func (s *PGStore) notInstalled(code, msg string) error {
	e := ErrSchemaNotInstalled.With(msg)
	e.Code = code
	e.Hint = "Install the schema with auth.InstallSchema."
	how := "auth.InstallSchema"
	if s.schema != "basic_auth" {
		how += fmt.Sprintf(" and auth.WithPrivateSchema(%q)", s.schema)
	}
	return fmt.Errorf("auth: NewPGStore: the users table of schema %q is missing or incomplete; "+
		"install the schema with %s (or the seed's SQL): %w", s.schema, how, e)
}

// unreadable returns PostgreSQL's 42501 for what the role may not read.
func (s *PGStore) unreadable(what string) error {
	e := sqlerr.New("auth", "42501", "permission denied for "+what)
	return fmt.Errorf("auth: NewPGStore: the connection's role may not read %s "+
		"(GRANT USAGE ON SCHEMA %s, and SELECT ON %s, to it): %w", s.usersTab, quoteIdent(s.schema), s.usersTab, e)
}

func (s *PGStore) textCodec() textCodec        { return s.codec }
func (s *PGStore) cryptVersion() crypt.Version { return s.crypt }

// CreateUser inserts the user; the table's trigger hashes the password.
// An email longer than MaxEmailLength characters is refused first, unless
// a parameter's text is one the server refuses: that error comes first
// there.
func (s *PGStore) CreateUser(ctx context.Context, email, pass, role string) error {
	if err := checkEmailLength(email, s.codec.client == encLatin1); err != nil && s.convertible(email, pass, role) {
		return err
	}
	_, err := s.db.Exec(ctx, s.insert, email, pass, role)
	return fromServer(err, email)
}

// convertible reports whether the server takes all these parameters.
func (s *PGStore) convertible(texts ...string) bool {
	for _, t := range texts {
		if _, err := s.codec.toServer(t); err != nil {
			return false
		}
	}
	return true
}

// SetPassword updates the password; the trigger hashes it when it differs
// from the stored hash.
func (s *PGStore) SetPassword(ctx context.Context, email, pass string) error {
	tag, err := s.db.Exec(ctx, s.update, email, pass)
	if err != nil {
		return fromServer(err, email)
	}
	if tag.RowsAffected() == 0 {
		return ErrUserNotFound
	}
	return nil
}

// RehashPassword implements Rehasher. It sends the password, as
// SetPassword does, in an UPDATE that applies only while the stored hash is
// still oldHash; the table's trigger hashes it (at its gen_salt, see
// WithTriggerHashPolicy), exactly as for a password change in SQL. A
// concurrent password change either commits first (this UPDATE then waits
// for its row lock, re-reads the row and matches nothing) or waits for
// this one and overwrites it: the change wins either way.
//
// Why not store a hash made in Go: the trigger would hash that hash again,
// and a trigger that let hashes through would let any caller of a sign-up
// or password change set a hash of their choosing (one of cost 31 takes a
// day per login attempt).
func (s *PGStore) RehashPassword(ctx context.Context, email, oldHash, pass string) (string, bool, error) {
	var newHash string
	err := s.db.QueryRow(ctx, s.rehash, email, oldHash, pass).Scan(&newHash)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return "", false, nil
	case err != nil:
		return "", false, fromServer(err, email)
	}
	return newHash, true, nil
}

// DeleteUser deletes the user's row.
func (s *PGStore) DeleteUser(ctx context.Context, email string) error {
	tag, err := s.db.Exec(ctx, s.delete, email)
	if err != nil {
		return fromServer(err, email)
	}
	if tag.RowsAffected() == 0 {
		return ErrUserNotFound
	}
	return nil
}

// LookupUser reads the user's hash and role.
func (s *PGStore) LookupUser(ctx context.Context, email string) (User, error) {
	u := User{Email: email}
	err := s.db.QueryRow(ctx, s.lookup, email).Scan(&u.Hash, &u.Role)
	if errors.Is(err, pgx.ErrNoRows) {
		return User{}, ErrUserNotFound
	}
	if err != nil {
		return User{}, fromServer(err, email)
	}
	return u, nil
}

// Secret reads the database setting app.jwt_secret, the secret the SQL
// login() signs with, for NewService. The text arrives in the client
// encoding; the Service converts it as the server would for hmac().
//
// Without the setting it returns ErrNoSecret, carrying the server's 42704
// error as the SQL login() raises it. ALTER DATABASE … SET reaches only
// sessions that start afterwards: a pool's older connections still lack it.
func (s *PGStore) Secret(ctx context.Context) (string, error) {
	var secret string
	err := s.db.QueryRow(ctx, "SELECT pg_catalog.current_setting('app.jwt_secret')").Scan(&secret)
	var pg *pgconn.PgError
	switch {
	case errors.As(err, &pg) && pg.Code == ErrNoSecret.Code:
		// The only 42704 current_setting raises: the parameter is unknown.
		e := ErrNoSecret.With(pg.Message)
		e.Detail, e.Hint = pg.Detail, pg.Hint
		return "", e
	case err != nil:
		return "", fmt.Errorf("auth: read app.jwt_secret: %w", err)
	}
	return secret, nil
}
