// Package pgtest gives tests a live PostgreSQL to compare against: the oracle
// that every "byte for byte" claim of this module is checked with.
//
// Each test binary calls Main from its TestMain. The first test that asks for
// clusters (Each, EachDB, Clusters) gets one per PostgreSQL major; Main
// releases them when the tests end, also when they fail.
//
// Where the servers come from, in order:
//
//   - PGJWT_TEST_DATABASE: a pgx connection string to an existing server,
//     read as pgx reads any (libpq environment variables included). It is
//     used as is (no cluster is started) and is the UTF8 database; a LATIN1
//     database named pgjwt_test_latin1 is created next to it when the role
//     may do so.
//   - PGJWT_TEST_CLUSTERS: the file in which Serve (go run
//     ./internal/pgtest/serve -- go test ./...) describes the clusters it
//     started once for all the test binaries it runs. Each test binary makes
//     its own UTF8 and LATIN1 databases in every cluster (pgjwt_b<pid>_utf8,
//     pgjwt_b<pid>_latin1) and drops them at the end, so packages that run
//     at the same time share servers but not databases. Roles are
//     cluster-wide: tests give them unique names, or create them so that a
//     concurrent creation is not an error.
//   - Otherwise the test binary starts its own throwaway clusters, in
//     parallel: from initdb/postgres found on PATH or in the highest
//     /usr/lib/postgresql/*/bin, plus every directory listed in
//     PGJWT_TEST_PG_BINDIRS (colon-separated), one cluster per major (the
//     first directory of a major wins).
//
// Clusters listen on a Unix socket in a short temporary directory only (no TCP
// port), with fsync off. When the tests run as root, initdb and postgres run
// as the "postgres" user (or "nobody"), since PostgreSQL refuses root. Their
// connection strings (DB.ConnString) are complete: no PGHOST, PGPORT, PGUSER,
// PGOPTIONS, PGSERVICE or other libpq environment variable of the caller
// changes where they connect or how the session is set up, also in child
// processes that inherit the environment.
//
// Each cluster offers a UTF8 database and a LATIN1 database (C locale), both
// with pgcrypto installed. With no server at all, tests skip with the reason,
// unless PGJWT_REQUIRE_POSTGRES=1, where that is a failure. A cluster that
// fails to start (initdb or postgres fails, or it does not answer) fails
// only its own subtests ("pg13") with the reason, and the other majors run;
// without PGJWT_REQUIRE_POSTGRES=1 those subtests skip instead.
//
// Slow tests trim their cases with Trimmed (under -short and -race) and
// run their full set only where Cluster.Full says so (PostgreSQL 15 and 18;
// every major with PGJWT_TEST_FULL=1), a sample on the other majors.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
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
	EnvClusters = "PGJWT_TEST_CLUSTERS"
	EnvBinDirs  = "PGJWT_TEST_PG_BINDIRS"
	EnvRequire  = "PGJWT_REQUIRE_POSTGRES"
	EnvFull     = "PGJWT_TEST_FULL"
)

// Majors are the PostgreSQL majors this module claims to reproduce; the
// summary of Serve lists each of them.
var Majors = []int{13, 14, 15, 16, 17, 18}

// FullMajors are the majors on which slow tests run their full set of
// cases (see Cluster.Full): 15 and 18, the two the spec's facts were
// taken from.
var FullMajors = []int{15, 18}

type clusterKind int

const (
	ownCluster     clusterKind = iota // started by this test binary
	sharedCluster                     // started by Serve, named in PGJWT_TEST_CLUSTERS
	externalServer                    // PGJWT_TEST_DATABASE
)

// Cluster is one running PostgreSQL server.
type Cluster struct {
	Major   int    // major version, e.g. 15 or 18
	Version string // server_version as the server reports it
	BinDir  string // directory of initdb/postgres; empty for PGJWT_TEST_DATABASE

	UTF8   *DB // a UTF8 database with pgcrypto
	Latin1 *DB // a LATIN1 database with pgcrypto; nil if the server could not offer one

	kind   clusterKind
	err    error    // the cluster could not be started or reached: its subtests fail
	socket string   // socket directory of a cluster started by this package or Serve
	proc   *process // the server, when this test binary started it
	admin  *pgxpool.Pool
	full   bool // Full's answer
	seq    int
	mu     sync.Mutex
	told   sync.Once // err's full text is printed once per test binary
}

// DB is one database of a cluster, with a pool connected to it.
type DB struct {
	Name       string
	Encoding   string // "UTF8" or "LATIN1"
	ConnString string // complete for clusters of this package: no libpq environment variable changes it
	Pool       *pgxpool.Pool
	Cluster    *Cluster
}

// String names the cluster for subtest names: "pg15".
func (c *Cluster) String() string {
	if c.Major == 0 {
		return "pg?"
	}
	return fmt.Sprintf("pg%d", c.Major)
}

// String names the database for subtest names: "pg15/UTF8".
func (d *DB) String() string { return d.Cluster.String() + "/" + d.Encoding }

// Full reports whether slow tests (cost-heavy bcrypt, many sha-crypt rounds,
// fuzz seeds) run their full set of cases on this cluster, or a sample: the
// full set runs on FullMajors (15 and 18), on a PGJWT_TEST_DATABASE server,
// on every cluster when none of FullMajors runs, and on every cluster with
// PGJWT_TEST_FULL=1. A sample should still reach each code path.
func (c *Cluster) Full() bool { return c.full }

var (
	startOnce sync.Once
	started   []*Cluster // working and failed, by major
	startErr  error      // nothing could be tried: a bad PGJWT_TEST_* variable
	skipWhy   string
)

// Main runs the tests of a package and then stops every cluster started for
// them (or drops the databases made in shared clusters). Call it from
// TestMain: func TestMain(m *testing.M) { pgtest.Main(m) }.
func Main(m *testing.M) {
	code := m.Run()
	writeReport()
	stopAll()
	os.Exit(code)
}

// Clusters returns every working live server, starting them on first use.
// It skips the test (or fails it when PGJWT_REQUIRE_POSTGRES=1) when there is
// none. A cluster that could not be started is left out, and reported: the
// test fails with PGJWT_REQUIRE_POSTGRES=1 (and goes on with the others), or
// logs it otherwise. Tests that compare per major should use Each or EachDB,
// where such a cluster fails only its own subtests.
func Clusters(tb testing.TB) []*Cluster {
	tb.Helper()
	all := allClusters(tb)
	var ok []*Cluster
	for _, c := range all {
		if c.err != nil {
			if os.Getenv(EnvRequire) == "1" {
				tb.Errorf("%s", c.unavailableMsg())
			} else {
				tb.Logf("%s", c.unavailableMsg())
			}
			continue
		}
		ok = append(ok, c)
	}
	if len(ok) == 0 {
		if os.Getenv(EnvRequire) == "1" {
			tb.FailNow()
		}
		tb.SkipNow()
	}
	return ok
}

// allClusters starts the clusters on first use and returns all of them,
// failed ones included; with none at all it skips or fails tb.
func allClusters(tb testing.TB) []*Cluster {
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

// unavailableMsg says why c cannot be used: its first line each time, the
// whole error (initdb's or the server's output) the first time.
func (c *Cluster) unavailableMsg() string {
	name := fmt.Sprintf("PostgreSQL %d", c.Major)
	if c.Major == 0 {
		name = "PostgreSQL"
	}
	msg := c.err.Error()
	first, rest, _ := strings.Cut(msg, "\n")
	detail := " (its output is in the first failure of this package)"
	c.told.Do(func() { detail = "\n" + rest })
	if rest == "" {
		detail = ""
	}
	return fmt.Sprintf("pgtest: %s is not available, so its tests cannot run: %s%s", name, first, detail)
}

// unavailable fails t (PGJWT_REQUIRE_POSTGRES=1) or skips it, for a cluster
// that could not be started.
func (c *Cluster) unavailable(t *testing.T) {
	t.Helper()
	if os.Getenv(EnvRequire) == "1" {
		t.Fatal(c.unavailableMsg())
	}
	t.Skip(c.unavailableMsg())
}

// Each runs fn as a subtest per live cluster, named after its major ("pg15").
// The subtest of a cluster that could not be started fails (skips without
// PGJWT_REQUIRE_POSTGRES=1) with the reason; the others run.
func Each(t *testing.T, fn func(t *testing.T, c *Cluster)) {
	t.Helper()
	for _, c := range allClusters(t) {
		if c.err != nil {
			tally(c, t.Run(c.String(), c.unavailable), false)
			continue
		}
		var sub *testing.T
		ok := t.Run(c.String(), func(t *testing.T) { sub = t; fn(t, c) })
		tally(c, ok, sub != nil && sub.Skipped())
	}
}

// EachDB runs fn as a subtest per database of every live cluster, UTF8 and
// LATIN1 ("pg15/UTF8", "pg15/LATIN1"). A cluster that could not be started
// has one subtest ("pg13"), which fails as in Each.
func EachDB(t *testing.T, fn func(t *testing.T, db *DB)) {
	t.Helper()
	for _, c := range allClusters(t) {
		if c.err != nil {
			tally(c, t.Run(c.String(), c.unavailable), false)
			continue
		}
		for _, db := range []*DB{c.UTF8, c.Latin1} {
			if db == nil {
				continue
			}
			var sub *testing.T
			ok := t.Run(db.String(), func(t *testing.T) { sub = t; fn(t, db) })
			tally(c, ok, sub != nil && sub.Skipped())
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
		_, _ = c.adminPool().Exec(ctx, "drop database if exists "+name+" with (force)")
	})
	return db
}

// adminPool runs CREATE and DROP DATABASE.
func (c *Cluster) adminPool() *pgxpool.Pool {
	if c.admin != nil {
		return c.admin
	}
	return c.UTF8.Pool
}

func (c *Cluster) createDatabase(ctx context.Context, name, encoding string) (*DB, error) {
	stmt := fmt.Sprintf("create database %s template template0 encoding '%s' lc_collate 'C' lc_ctype 'C'", name, encoding)
	if encoding == "UTF8" && c.kind != externalServer {
		// The cluster's own locale, C.UTF-8, as the "postgres" database has.
		stmt = fmt.Sprintf("create database %s template template0 encoding 'UTF8'", name)
	}
	if _, err := c.adminPool().Exec(ctx, stmt); err != nil {
		return nil, fmt.Errorf("create database %s: %w", name, err)
	}
	db, err := openDB(ctx, c, name, c.dbConnString(name))
	if err != nil {
		_, _ = c.adminPool().Exec(ctx, "drop database if exists "+name+" with (force)")
	}
	return db, err
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
		c.full = true
		started = []*Cluster{c}
		return
	}
	if path := os.Getenv(EnvClusters); path != "" {
		started, startErr = attachShared(path)
	} else {
		dirs, why, err := findBinDirs()
		if err != nil {
			startErr = err
			return
		}
		if len(dirs) == 0 {
			skipWhy = why
			return
		}
		started = startClusters(dirs)
	}
	setFull(started)
}

// startClusters starts one cluster per directory, in parallel; the result
// is sorted by major and holds the failed clusters too.
func startClusters(dirs []binDir) []*Cluster {
	cs := make([]*Cluster, len(dirs))
	var wg sync.WaitGroup
	for i, d := range dirs {
		wg.Go(func() { cs[i] = startCluster(d.dir, d.major) })
	}
	wg.Wait()
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].Major < cs[j].Major })
	return cs
}

// setFull decides Cluster.Full for every cluster.
func setFull(cs []*Cluster) {
	all := os.Getenv(EnvFull) == "1"
	any := false
	for _, c := range cs {
		c.full = all || c.kind == externalServer || slices.Contains(FullMajors, c.Major)
		any = any || (c.full && c.err == nil)
	}
	if !any {
		for _, c := range cs {
			c.full = true
		}
	}
}

func (c *Cluster) stop() {
	for _, db := range []*DB{c.UTF8, c.Latin1} {
		if db != nil {
			db.Pool.Close()
		}
	}
	if c.admin != nil {
		c.admin.Close()
	}
	if c.proc != nil {
		c.proc.stop()
	}
}

func stopAll() {
	var wg sync.WaitGroup
	for _, c := range started {
		wg.Go(func() {
			if c.kind == sharedCluster {
				c.detach()
			}
			c.stop()
		})
	}
	wg.Wait()
	started = nil
}

// binDir is a PostgreSQL bin directory and the major of its postgres.
type binDir struct {
	dir   string
	major int
}

// findBinDirs lists the PostgreSQL bin directories to start, one per major
// (the first directory named for a major wins). A directory listed in
// PGJWT_TEST_PG_BINDIRS that does not hold a working postgres is an error.
func findBinDirs() (dirs []binDir, why string, err error) {
	seen := map[int]bool{}
	add := func(dir string) error {
		major, err := binaryMajor(dir)
		if err != nil {
			return err
		}
		if !seen[major] {
			seen[major] = true
			dirs = append(dirs, binDir{dir, major})
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
