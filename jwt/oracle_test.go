package jwt

import (
	"context"
	_ "embed"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
)

// oracleSchema is where the tests install CompatSQL in every database of
// the clusters (the harness's shared UTF8 and LATIN1 databases).
const oracleSchema = "pgjwt_oracle"

type install struct {
	once sync.Once
	pool *pgxpool.Pool
	err  error
}

var installed sync.Map // *pgtest.DB → *install

//go:embed testdata/harness.sql
var harnessSQL string

// oracle installs the project's SQL restatement of pgjwt (CompatSQL, with
// pgcrypto where the harness put it: public) and the test helpers of
// testdata/harness.sql into db once, and returns a pool for db whose
// client_encoding is UTF8, so that Go strings arrive as the characters they
// spell also in a LATIN1 database (the harness's own pools keep the
// database's encoding as client encoding).
func oracle(t testing.TB, db *pgtest.DB) *pgxpool.Pool {
	t.Helper()
	v, _ := installed.LoadOrStore(db, &install{})
	in := v.(*install)
	in.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cfg, err := pgxpool.ParseConfig(db.ConnString)
		if err != nil {
			in.err = err
			return
		}
		cfg.ConnConfig.RuntimeParams["client_encoding"] = "UTF8"
		cfg.MaxConns = 4
		if in.pool, in.err = pgxpool.NewWithConfig(ctx, cfg); in.err != nil {
			return
		}
		_, in.err = in.pool.Exec(ctx, "create schema if not exists "+oracleSchema+";\n"+
			mustCompatSQL(t, oracleSchema, WithPgcryptoSchema("public"))+verifyAtSQL(t, oracleSchema)+";\n"+
			strings.ReplaceAll(harnessSQL, "@schema@", oracleSchema))
	})
	if in.err != nil {
		t.Fatalf("install oracle into %s: %v", db, in.err)
	}
	return in.pool
}

// mustCompatSQL is CompatSQL for names that are known to be good.
func mustCompatSQL(t testing.TB, schema string, opts ...CompatOption) string {
	t.Helper()
	sql, err := CompatSQL(schema, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return sql
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	return c
}

// verifyAtSQL derives a test-only verify_at(token, secret, algorithm, at)
// from CompatSQL's verify by two textual replacements, so that what is tested
// at a fixed instant is production's function body.
func verifyAtSQL(t testing.TB, schema string) string {
	all := mustCompatSQL(t, schema)
	q := quoteIdent(schema)
	head := "CREATE OR REPLACE FUNCTION " + q + ".verify(token text, secret text, algorithm text DEFAULT 'HS256')"
	i := strings.Index(all, head)
	if i < 0 || strings.Count(all[i:], "CURRENT_TIMESTAMP") != 1 {
		t.Fatalf("CompatSQL's verify has changed shape; update verifyAtSQL")
	}
	body := strings.TrimSpace(all[i:])
	body = strings.Replace(body, head, "CREATE OR REPLACE FUNCTION "+q+".verify_at(token text, secret text, algorithm text, at_instant timestamptz)", 1)
	body = strings.Replace(body, "CURRENT_TIMESTAMP", "at_instant", 1)
	return strings.TrimSuffix(body, ";")
}
