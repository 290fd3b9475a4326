package jwt

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
	"github.com/pgjwt-go/pgjwt/internal/sqlname"
)

// quoteIdent quotes a SQL identifier as CompatSQL does.
func quoteIdent(name string) string { return sqlname.QuoteIdent(name) }

// TestCompatSQLInstall installs CompatSQL into a fresh database: twice (it
// is idempotent), into a schema whose name needs quoting, with pgcrypto in
// another schema, and checks the functions answer like Sign and Verify.
func TestCompatSQLInstall(t *testing.T) {
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		db := c.NewDatabase(t, "UTF8")
		odd := `Odd "name"; drop`
		quoted := quoteIdent(odd)
		if _, err := db.Pool.Exec(ctx(t), "create schema "+quoted); err != nil {
			t.Fatal(err)
		}
		// pgjwt's own layout: pgcrypto must share the schema. The extension
		// installs anyway and fails at the first call (its script runs with
		// check_function_bodies off); CompatSQL's CREATE FUNCTION checks the
		// bodies, so the install itself fails, which is the better moment.
		_, err := db.Pool.Exec(ctx(t), mustCompatSQL(t, odd))
		if code, _, _ := pgtest.ErrorOf(err); code != "42883" {
			t.Fatalf("install without pgcrypto in the schema: %v, want 42883", err)
		}
		var tok string
		// With pgcrypto's schema named, twice.
		for i := 0; i < 2; i++ {
			if _, err := db.Pool.Exec(ctx(t), mustCompatSQL(t, odd, WithPgcryptoSchema("public"))); err != nil {
				t.Fatalf("install %d: %v", i, err)
			}
		}
		payload := `{"role":"web_anon","exp":99999999999}`
		if err := db.Pool.QueryRow(ctx(t), "select "+quoted+".sign($1::json, 'secret')", payload).Scan(&tok); err != nil {
			t.Fatal(err)
		}
		want, err := Sign(json.RawMessage(payload), "secret", "HS256")
		if err != nil || tok != want {
			t.Fatalf("sign = %s, Sign = %s %v", tok, want, err)
		}
		var valid *bool
		if err := db.Pool.QueryRow(ctx(t), "select valid from "+quoted+".verify($1, 'secret')", tok).Scan(&valid); err != nil || valid == nil || !*valid {
			t.Fatalf("verify = %v, %v", valid, err)
		}
		// The default schema is public.
		if _, err := db.Pool.Exec(ctx(t), mustCompatSQL(t, "")); err != nil {
			t.Fatal(err)
		}
		if err := db.Pool.QueryRow(ctx(t), "select public.sign($1::json, 'secret')", payload).Scan(&tok); err != nil || tok != want {
			t.Fatalf("public.sign = %s, %v", tok, err)
		}
		if !strings.Contains(mustCompatSQL(t, odd), `"Odd ""name""; drop".verify(`) {
			t.Fatal("schema not quoted as an identifier")
		}
	})
}

// TestCallShapes pins the server behaviours Verify deliberately does not
// imitate (documented in doc.go): the lazy columns of the inlined verify()
// and plan-time folding with constant arguments.
func TestCallShapes(t *testing.T) {
	T, _ := Sign(json.RawMessage(`{"a":1}`), "s", "HS256")
	headerOnlyBad := URLEncode([]byte(`{"alg":`)) + "." + URLEncode([]byte(`{}`)) + ".x"
	pgtest.Each(t, func(t *testing.T, c *pgtest.Cluster) {
		pool := oracle(t, c.UTF8)
		s := oracleSchema + "."
		// 1. SELECT valid skips the header: false, where Verify errors.
		var valid *bool
		if err := pool.QueryRow(ctx(t), "select valid from "+s+"verify($1, 's') v", " "+T).Scan(&valid); err != nil || valid == nil || *valid {
			t.Errorf("select valid for a leading space: %v %v, want false", valid, err)
		}
		if _, err := VerifyAt(" "+T, "s", "HS256", benchAt); err != ErrBase64Padding {
			t.Errorf("Verify with a leading space: %v", err)
		}
		// 2. SELECT payload skips the MAC: no algorithm error.
		var payload string
		if err := pool.QueryRow(ctx(t), "select payload::text from "+s+"verify($1, 's', 'bogus') v", T).Scan(&payload); err != nil || payload != `{"a":1}` {
			t.Errorf("select payload with a bogus algorithm: %q %v", payload, err)
		}
		if _, err := VerifyAt(T, "s", "bogus", benchAt); err != ErrUnknownAlgorithm {
			t.Errorf("Verify with a bogus algorithm: %v", err)
		}
		// 3. Constant arguments: the MAC (IMMUTABLE) is folded at plan time
		// and its error wins over the header's JSON error; at run time, and
		// in Verify, the header's error comes first.
		var h, p *string
		err := pool.QueryRow(ctx(t), "select * from "+s+"verify($1, 's', 'bogus') v", pgx.QueryExecModeSimpleProtocol, headerOnlyBad).Scan(&h, &p, &valid)
		if code, _, _ := pgtest.ErrorOf(err); code != "22023" {
			t.Errorf("constant arguments: %v, want the algorithm error (22023)", err)
		}
		var code *string
		if err := pool.QueryRow(ctx(t), "select code from "+s+"t_verify($1, $2, $3)", []string{headerOnlyBad}, []string{"s"}, []string{"bogus"}).Scan(&code); err != nil || str(code) != "22P02" {
			t.Errorf("run-time arguments: %s %v, want the header's JSON error (22P02)", str(code), err)
		}
		if _, err := VerifyAt(headerOnlyBad, "s", "bogus", benchAt); !strings.Contains(err.Error(), "json") {
			t.Errorf("Verify: %v, want the header's JSON error", err)
		}
	})
}
