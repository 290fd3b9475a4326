package pgtest

import (
	"context"
	"fmt"
	"sort"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Objects runs query, whose rows are three text columns (kind, schema,
// name), and returns them as the keys `kind "schema" "name"`: a snapshot of
// catalog objects, for tests that check an installer created exactly what
// it should (compare two snapshots with Changes). pool must have a UTF8
// client encoding.
func Objects(t testing.TB, pool *pgxpool.Pool, query string, args ...any) map[string]bool {
	t.Helper()
	rows, err := pool.Query(context.Background(), query, args...)
	if err != nil {
		t.Fatalf("catalog snapshot: %v", err)
	}
	defer rows.Close()
	set := map[string]bool{}
	for rows.Next() {
		var kind, schema, name string
		if err := rows.Scan(&kind, &schema, &name); err != nil {
			t.Fatalf("catalog snapshot: %v", err)
		}
		set[ObjectKey(kind, schema, name)] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("catalog snapshot: %v", err)
	}
	return set
}

// ObjectKey is the key Objects gives a row.
func ObjectKey(kind, schema, name string) string {
	return fmt.Sprintf("%s %q %q", kind, schema, name)
}

// Changes lists the keys only in after (added) and only in before
// (removed), sorted.
func Changes(before, after map[string]bool) (added, removed []string) {
	for k := range after {
		if !before[k] {
			added = append(added, k)
		}
	}
	for k := range before {
		if !after[k] {
			removed = append(removed, k)
		}
	}
	sort.Strings(added)
	sort.Strings(removed)
	return added, removed
}
