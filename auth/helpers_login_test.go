package auth

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
)

// testSecret is long enough for PostgREST (32 bytes or more).
const testSecret = "reallyreallyreallyreallyverysafe"

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func uniqueName(prefix string) string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return prefix + "_" + hex.EncodeToString(b)
}

// loginDB is a fresh database of cluster c with the schema installed, roles
// of its own (cluster-wide names are unique per test) and app.jwt_secret
// set; Pool connects after the secret was set, so every session sees it.
type loginDB struct {
	*pgtest.DB
	Pool          *pgxpool.Pool
	Anon, Auth    string // PostgREST roles created by the installer
	WebUser       string // a role users may have
	Installation  Installation
	SchemaOptions []SchemaOption
}

func newLoginDB(t testing.TB, c *pgtest.Cluster, encoding string, opts ...SchemaOption) *loginDB {
	t.Helper()
	ctx := testCtx(t)
	db := c.NewDatabase(t, encoding)
	l := &loginDB{DB: db, Anon: uniqueName("anon"), Auth: uniqueName("authn"), WebUser: uniqueName("webuser")}
	if _, err := db.Pool.Exec(ctx, "CREATE ROLE "+quoteIdent(l.WebUser)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Pool.Exec(ctx, "ALTER DATABASE "+quoteIdent(db.Name)+" SET app.jwt_secret TO "+quoteLiteral(testSecret)); err != nil {
		t.Fatal(err)
	}
	l.SchemaOptions = append([]SchemaOption{WithAnonRole(l.Anon), WithAuthenticatorRole(l.Auth)}, opts...)
	inst, err := InstallSchema(ctx, db.Pool, l.SchemaOptions...)
	if err != nil {
		t.Fatal(err)
	}
	l.Installation = inst
	pool, err := pgxpool.New(ctx, db.ConnString)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	l.Pool = pool
	return l
}
