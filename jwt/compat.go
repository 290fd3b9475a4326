package jwt

import (
	_ "embed"
	"fmt"
	"strings"

	"github.com/pgjwt-go/pgjwt/internal/sqlerr"
	"github.com/pgjwt-go/pgjwt/internal/sqlname"
)

//go:embed pgjwt.sql
var compatSQL string

// CompatOption changes what CompatSQL produces.
type CompatOption func(*compatConfig)

type compatConfig struct{ pgcrypto string }

// WithPgcryptoSchema names the schema where pgcrypto (its hmac function) is
// installed, when it is not the schema the functions go to ("" means
// public). pgjwt itself insists on one schema for both (its issue #33);
// this option is the fix.
func WithPgcryptoSchema(schema string) CompatOption {
	return func(c *compatConfig) { c.pgcrypto = schema }
}

// Errors of CompatSQL's schema names. Messages quote the name.
var (
	// ErrInvalidName: a schema name with a NUL byte or invalid UTF-8, which
	// no PostgreSQL identifier can hold (42602, invalid_name).
	ErrInvalidName = sqlerr.New("jwt", "42602", "invalid name")

	// ErrNameTooLong: a schema name longer than 63 bytes, which PostgreSQL
	// would truncate with only a NOTICE (42622, name_too_long). CompatSQL
	// counts UTF-8; the script itself refuses, with the same SQLSTATE, a
	// name that is longer only in the database encoding.
	ErrNameTooLong = sqlerr.New("jwt", "42622", "name is longer than 63 bytes")
)

// CompatSQL returns the SQL that creates this project's own restatement of
// pgjwt 0.2.0's functions - url_encode, url_decode, algorithm_sign, sign,
// try_cast_double and verify - in schema ("" means public), on top of
// pgcrypto's hmac(). It is what this package's tests use as their oracle,
// and what to install where the pgjwt extension is not available. The
// script is idempotent (CREATE OR REPLACE) and runs in one Exec; it needs
// pgcrypto and PL/pgSQL, and by default expects pgcrypto in the same
// schema, as pgjwt does. Unlike the extension (whose script is run without
// body checks, so a missing hmac only shows at the first call), a missing
// pgcrypto makes the install itself fail with 42883.
//
// Schema names are taken verbatim, as quoted identifiers (`my "schema"`,
// "Auth" and "$$" are those very names), and the script is ASCII, so it
// means the same whatever the client_encoding. No name can end a function
// body early: the bodies' dollar-quote delimiter is one no name holds. A
// name with a NUL byte or invalid UTF-8 is refused with ErrInvalidName, one
// longer than 63 bytes with ErrNameTooLong.
func CompatSQL(schema string, opts ...CompatOption) (string, error) {
	if schema == "" {
		schema = "public"
	}
	cfg := compatConfig{pgcrypto: schema}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.pgcrypto == "" {
		cfg.pgcrypto = "public"
	}
	for _, n := range []struct{ what, name string }{
		{"schema name", schema}, {"pgcrypto schema name (WithPgcryptoSchema)", cfg.pgcrypto},
	} {
		if why, tooLong := sqlname.Check(n.name); why != "" {
			msg := fmt.Sprintf("CompatSQL: %s %q %s", n.what, n.name, why)
			if tooLong {
				return "", ErrNameTooLong.With(msg)
			}
			return "", ErrInvalidName.With(msg)
		}
	}
	return sqlname.Fill(compatSQL, "pgjwt_go", strings.NewReplacer(
		"@schema@", sqlname.QuoteIdent(schema),
		"@schema_lit@", sqlname.QuoteLiteral(schema),
		"@pgcrypto@", sqlname.QuoteIdent(cfg.pgcrypto),
		"@pgcrypto_lit@", sqlname.QuoteLiteral(cfg.pgcrypto),
	)), nil
}
