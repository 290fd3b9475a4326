package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/pgjwt-go/pgjwt/crypt"
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
// dropped (see the Store interface).
type PGStore struct {
	db       DB
	codec    textCodec
	crypt    crypt.Version
	insert   string
	update   string
	delete   string
	lookup   string
	usersTab string
}

// PGStoreOption changes a PGStore.
type PGStoreOption func(*PGStore)

// WithUsersSchema names the schema of the users table (default
// "basic_auth"); match WithPrivateSchema.
func WithUsersSchema(name string) PGStoreOption {
	return func(s *PGStore) { s.usersTab = quoteIdent(name) + ".users" }
}

// NewPGStore returns the store on db. It asks the server once for the
// client and server encodings (UTF8 and LATIN1 are supported: passwords are
// verified in the bytes crypt() in the database sees) and its major version
// (for crypt's per-major rules). All connections of db must share these
// settings.
func NewPGStore(ctx context.Context, db DB, opts ...PGStoreOption) (*PGStore, error) {
	s := &PGStore{db: db, usersTab: quoteIdent("basic_auth") + ".users"}
	for _, o := range opts {
		o(s)
	}
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
	s.codec, s.crypt = codec, crypt.ForVersion(version/10000)
	s.insert = "INSERT INTO " + s.usersTab + " (email, pass, role) VALUES ($1, $2, $3)"
	s.update = "UPDATE " + s.usersTab + " SET pass = $2 WHERE email = $1"
	s.delete = "DELETE FROM " + s.usersTab + " WHERE email = $1"
	s.lookup = "SELECT pass, role FROM " + s.usersTab + " WHERE email = $1"
	return s, nil
}

func (s *PGStore) textCodec() textCodec        { return s.codec }
func (s *PGStore) cryptVersion() crypt.Version { return s.crypt }

// CreateUser inserts the user; the table's trigger hashes the password.
func (s *PGStore) CreateUser(ctx context.Context, email, pass, role string) error {
	_, err := s.db.Exec(ctx, s.insert, email, pass, role)
	return fromServer(err, email)
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
