// Package pgtest gives tests a live PostgreSQL to compare against: the oracle
// that every "byte for byte" claim of this module is checked with.
//
// Each test binary calls Main from its TestMain. The first test that asks for
// Clusters starts one throwaway cluster per PostgreSQL major it can find (in
// parallel, once per test binary); Main stops them and removes their files
// when the tests end, also when they fail.
//
// Where the servers come from, in order:
//
//   - PGJWT_TEST_DATABASE: a pgx connection string to an existing server. It
//     is used as is (no cluster is started) and is the UTF8 database; a
//     LATIN1 database named pgjwt_test_latin1 is created next to it when the
//     role may do so.
//   - Otherwise initdb/postgres found on PATH or in the highest
//     /usr/lib/postgresql/*/bin, plus every directory listed in
//     PGJWT_TEST_PG_BINDIRS (colon-separated), one cluster per major.
//
// Clusters listen on a Unix socket in a short temporary directory only (no TCP
// port), with fsync off. When the tests run as root, initdb and postgres run
// as the "postgres" user (or "nobody"), since PostgreSQL refuses root.
//
// Each cluster offers a UTF8 database and a LATIN1 database (C locale), both
// with pgcrypto installed. With no server at all, tests skip with the reason,
// unless PGJWT_REQUIRE_POSTGRES=1, where that is a failure.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/pgjwt-go/pgjwt/internal/sqlerr"
)

// Environment variables read by this package.
const (
	EnvDatabase = "PGJWT_TEST_DATABASE"
	EnvBinDirs  = "PGJWT_TEST_PG_BINDIRS"
	EnvRequire  = "PGJWT_REQUIRE_POSTGRES"
)

// Cluster is one running PostgreSQL server.
type Cluster struct {
	Major   int    // major version, e.g. 15 or 18
	Version string // server_version as the server reports it
	BinDir  string // directory of initdb/postgres; empty for PGJWT_TEST_DATABASE

	UTF8   *DB // a UTF8 database with pgcrypto
	Latin1 *DB // a LATIN1 database with pgcrypto; nil if the server could not offer one

	proc *process // nil for an external server
	seq  int
	mu   sync.Mutex
}

// DB is one database of a cluster, with a pool connected to it.
type DB struct {
	Name       string
	Encoding   string // "UTF8" or "LATIN1"
	ConnString string
	Pool       *pgxpool.Pool
	Cluster    *Cluster
}

// String names the cluster for subtest names: "pg15".
func (c *Cluster) String() string { return fmt.Sprintf("pg%d", c.Major) }

// String names the database for subtest names: "pg15/UTF8".
func (d *DB) String() string { return d.Cluster.String() + "/" + d.Encoding }

var (
	startOnce sync.Once
	started   []*Cluster
	startErr  error
	skipWhy   string
)

// Main runs the tests of a package and then stops every cluster started for
// them. Call it from TestMain: func TestMain(m *testing.M) { pgtest.Main(m) }.
func Main(m *testing.M) {
	code := m.Run()
	stopAll()
	os.Exit(code)
}

// Clusters returns every live server, starting them on first use. It skips the
// test (or fails it when PGJWT_REQUIRE_POSTGRES=1) when there is none, and fails
// it when a server could not be started.
func Clusters(tb testing.TB) []*Cluster {
	tb.Helper()
	startOnce.Do(startAll)
	if startErr != nil {
		tb.Fatalf("pgtest: %v", startErr)
	}
	if len(started) == 0 {
		if os.Getenv(EnvRequire) == "1" {
			tb.Fatalf("pgtest: %s=1 but no PostgreSQL is available: %s", EnvRequire, skipWhy)
		}
		tb.Skipf("pgtest: no PostgreSQL available (%s); set %s or install PostgreSQL", skipWhy, EnvDatabase)
	}
	return started
}

// Each runs fn as a subtest per live cluster, named after its major ("pg15").
func Each(t *testing.T, fn func(t *testing.T, c *Cluster)) {
	t.Helper()
	for _, c := range Clusters(t) {
		t.Run(c.String(), func(t *testing.T) { fn(t, c) })
	}
}

// EachDB runs fn as a subtest per database of every live cluster, UTF8 and
// LATIN1 ("pg15/UTF8", "pg15/LATIN1").
func EachDB(t *testing.T, fn func(t *testing.T, db *DB)) {
	t.Helper()
	for _, c := range Clusters(t) {
		for _, db := range []*DB{c.UTF8, c.Latin1} {
			if db == nil {
				continue
			}
			t.Run(db.String(), func(t *testing.T) { fn(t, db) })
		}
	}
}

// UTF8Pool returns a pool to d whose client_encoding is UTF8, so that Go
// strings arrive as the characters they spell also in a LATIN1 database
// (d.Pool keeps the database's encoding as client encoding). It is closed
// when the test ends.
func (d *DB) UTF8Pool(tb testing.TB) *pgxpool.Pool {
	tb.Helper()
	cfg, err := pgxpool.ParseConfig(d.ConnString)
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	cfg.ConnConfig.RuntimeParams["client_encoding"] = "UTF8"
	cfg.MaxConns = 2
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	tb.Cleanup(pool.Close)
	return pool
}

// NewDatabase creates a fresh database with pgcrypto in the cluster, for a test
// that changes schema objects; it is dropped when the test ends.
// encoding is "UTF8" or "LATIN1".
func (c *Cluster) NewDatabase(tb testing.TB, encoding string) *DB {
	tb.Helper()
	c.mu.Lock()
	c.seq++
	name := fmt.Sprintf("pgjwt_t%d_%d_%s", os.Getpid(), c.seq, strings.ToLower(encoding))
	c.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := c.createDatabase(ctx, name, encoding)
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	tb.Cleanup(func() {
		db.Pool.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_, _ = c.UTF8.Pool.Exec(ctx, "drop database if exists "+name+" with (force)")
	})
	return db
}

func (c *Cluster) createDatabase(ctx context.Context, name, encoding string) (*DB, error) {
	stmt := fmt.Sprintf("create database %s template template0 encoding '%s' lc_collate 'C' lc_ctype 'C'", name, encoding)
	if encoding == "UTF8" && c.proc != nil {
		stmt = fmt.Sprintf("create database %s template template0 encoding 'UTF8'", name)
	}
	if _, err := c.UTF8.Pool.Exec(ctx, stmt); err != nil {
		return nil, fmt.Errorf("create database %s: %w", name, err)
	}
	cs := replaceDBName(c.UTF8.ConnString, name)
	return openDB(ctx, c, name, cs)
}

// ErrorOf returns the SQLSTATE and message of a PostgreSQL error from the
// server (*pgconn.PgError) or from this module (*sqlerr.Error), so that tests
// can compare the two. ok is false for any other error.
func ErrorOf(err error) (code, message string, ok bool) {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code, pg.Message, true
	}
	var se *sqlerr.Error
	if errors.As(err, &se) {
		return se.Code, se.Message, true
	}
	return "", "", false
}

// DetailOf returns the DETAIL line of an error as ErrorOf reads it (empty
// when there is none).
func DetailOf(err error) string {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Detail
	}
	var se *sqlerr.Error
	if errors.As(err, &se) {
		return se.Detail
	}
	return ""
}

func startAll() {
	if cs := os.Getenv(EnvDatabase); cs != "" {
		c, err := useExternal(cs)
		if err != nil {
			startErr = fmt.Errorf("%s: %w", EnvDatabase, err)
			return
		}
		started = []*Cluster{c}
		return
	}
	dirs, why, err := findBinDirs()
	if err != nil {
		startErr = err
		return
	}
	if len(dirs) == 0 {
		skipWhy = why
		return
	}
	type result struct {
		c   *Cluster
		err error
	}
	results := make([]result, len(dirs))
	var wg sync.WaitGroup
	for i, dir := range dirs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := startCluster(dir)
			results[i] = result{c, err}
		}()
	}
	wg.Wait()
	var errs []error
	for _, r := range results {
		if r.err != nil {
			errs = append(errs, r.err)
			continue
		}
		started = append(started, r.c)
	}
	sort.Slice(started, func(i, j int) bool { return started[i].Major < started[j].Major })
	startErr = errors.Join(errs...)
}

func stopAll() {
	for _, c := range started {
		for _, db := range []*DB{c.UTF8, c.Latin1} {
			if db != nil {
				db.Pool.Close()
			}
		}
		if c.proc != nil {
			c.proc.stop()
		}
	}
	started = nil
}

// findBinDirs lists the PostgreSQL bin directories to start, one per major
// (the first directory named for a major wins). A directory listed in
// PGJWT_TEST_PG_BINDIRS that does not hold a working postgres is an error.
func findBinDirs() (dirs []string, why string, err error) {
	seen := map[int]bool{}
	add := func(dir string) error {
		major, err := binaryMajor(dir)
		if err != nil {
			return err
		}
		if !seen[major] {
			seen[major] = true
			dirs = append(dirs, dir)
		}
		return nil
	}
	var errs []error
	for _, d := range filepath.SplitList(os.Getenv(EnvBinDirs)) {
		if d != "" {
			if err := add(d); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", EnvBinDirs, err))
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, "", err
	}
	auto := ""
	if p, err := lookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		auto = filepath.Dir(p)
	} else if matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin"); len(matches) > 0 {
		sort.Slice(matches, func(i, j int) bool { return versionOfDir(matches[i]) < versionOfDir(matches[j]) })
		auto = matches[len(matches)-1]
	}
	if auto != "" {
		if err := add(auto); err != nil {
			why = err.Error()
		}
	}
	if len(dirs) == 0 && why == "" {
		why = "no initdb on PATH, in /usr/lib/postgresql/*/bin or in " + EnvBinDirs
	}
	return dirs, why, nil
}

func versionOfDir(binDir string) int {
	var v int
	fmt.Sscanf(filepath.Base(filepath.Dir(binDir)), "%d", &v)
	return v
}
