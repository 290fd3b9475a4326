package jwt

import (
	"context"
	_ "embed"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
)

// oracleSchema is where the tests install CompatSQL in every database of
// the clusters (the harness's shared UTF8 and LATIN1 databases).
const oracleSchema = "pgjwt_oracle"

type install struct {
	once sync.Once
	err  error
}

var installed sync.Map // *pgtest.DB → *install

//go:embed testdata/harness.sql
var harnessSQL string

// oracle installs the project's SQL restatement of pgjwt (CompatSQL, with
// pgcrypto where the harness put it: public) and the test helpers of
// testdata/harness.sql into db once, and returns db.
func oracle(t testing.TB, db *pgtest.DB) *pgtest.DB {
	t.Helper()
	v, _ := installed.LoadOrStore(db, &install{})
	in := v.(*install)
	in.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_, in.err = db.Pool.Exec(ctx, "create schema if not exists "+oracleSchema+";\n"+
			CompatSQL(oracleSchema, WithPgcryptoSchema("public"))+
			strings.ReplaceAll(harnessSQL, "@schema@", oracleSchema))
	})
	if in.err != nil {
		t.Fatalf("install oracle into %s: %v", db, in.err)
	}
	return db
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	return c
}
