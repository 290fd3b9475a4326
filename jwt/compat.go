package jwt

import (
	_ "embed"
	"strings"
)

//go:embed pgjwt.sql
var compatSQL string

// CompatOption changes what CompatSQL produces.
type CompatOption func(*compatConfig)

type compatConfig struct{ pgcrypto string }

// WithPgcryptoSchema names the schema where pgcrypto (its hmac function) is
// installed, when it is not the schema the functions go to. pgjwt itself
// insists on one schema for both (its issue #33); this option is the fix.
func WithPgcryptoSchema(schema string) CompatOption {
	return func(c *compatConfig) { c.pgcrypto = schema }
}

// CompatSQL returns the SQL that creates this project's own restatement of
// pgjwt 0.2.0's functions - url_encode, url_decode, algorithm_sign, sign,
// try_cast_double and verify - in schema (quoted as an identifier; "" means
// public), on top of pgcrypto's hmac(). It is what this package's tests use
// as their oracle, and what to install where the pgjwt extension is not
// available. The script is idempotent (CREATE OR REPLACE) and runs in one
// Exec; it needs pgcrypto and PL/pgSQL, and by default expects pgcrypto in
// the same schema, as pgjwt does. Unlike the extension (whose script is run
// without body checks, so a missing hmac only shows at the first call), a
// missing pgcrypto makes the install itself fail with 42883.
func CompatSQL(schema string, opts ...CompatOption) string {
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
	return strings.NewReplacer(
		"@schema@", quoteIdent(schema),
		"@pgcrypto@", quoteIdent(cfg.pgcrypto),
	).Replace(compatSQL)
}

// quoteIdent quotes a SQL identifier: always in double quotes, with inner
// double quotes doubled, so any name (also "Upper", "a b", `x";drop`) is
// one identifier.
func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}
