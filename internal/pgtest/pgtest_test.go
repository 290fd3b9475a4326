package pgtest

import (
	"context"
	"testing"
)

func TestMain(m *testing.M) { Main(m) }

// TestClusters checks what every other package relies on: each cluster
// reports its major, and both databases have the encoding they claim and a
// working pgcrypto.
func TestClusters(t *testing.T) {
	EachDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		var enc, crypt string
		var major int
		err := db.Pool.QueryRow(ctx, `select pg_encoding_to_char(encoding),
			crypt('x', '$1$abc'), current_setting('server_version_num')::int / 10000
			from pg_database where datname = current_database()`).Scan(&enc, &crypt, &major)
		if err != nil {
			t.Fatal(err)
		}
		if enc != db.Encoding {
			t.Errorf("encoding %s, DB says %s", enc, db.Encoding)
		}
		if major != db.Cluster.Major {
			t.Errorf("major %d, Cluster says %d", major, db.Cluster.Major)
		}
		if crypt[:7] != "$1$abc$" {
			t.Errorf("pgcrypto crypt() = %q", crypt)
		}
		t.Logf("%s: PostgreSQL %s", db, db.Cluster.Version)
	})
}

func TestNewDatabase(t *testing.T) {
	Each(t, func(t *testing.T, c *Cluster) {
		db := c.NewDatabase(t, "LATIN1")
		var n int
		if err := db.Pool.QueryRow(context.Background(), "select length(digest('a','sha1'))").Scan(&n); err != nil || n != 20 {
			t.Fatalf("pgcrypto in new database: %d, %v", n, err)
		}
	})
}

func TestReplaceDBName(t *testing.T) {
	for in, want := range map[string]string{
		"host=/tmp/x user=postgres dbname=postgres": "host=/tmp/x user=postgres dbname=other",
		"host=/tmp/x":                         "host=/tmp/x dbname=other",
		"postgres://u@h:5/db?sslmode=disable": "postgres://u@h:5/other?sslmode=disable",
	} {
		if got := replaceDBName(in, "other"); got != want {
			t.Errorf("replaceDBName(%q) = %q, want %q", in, got, want)
		}
	}
}
