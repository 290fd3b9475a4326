package pgtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

// hostileEnv is a libpq environment that points anywhere but at the test
// clusters, or breaks the connection, for every setting pgx reads.
var hostileEnv = map[string]string{
	"PGHOST":               "/nonexistent",
	"PGPORT":               "55432",
	"PGUSER":               "nobody_here",
	"PGDATABASE":           "no_such_db",
	"PGPASSWORD":           "wrong",
	"PGPASSFILE":           "/nonexistent/pgpass",
	"PGSERVICE":            "no_such_service",
	"PGSERVICEFILE":        "/nonexistent/pg_service.conf",
	"PGSSLMODE":            "verify-full",
	"PGSSLCERT":            "/nonexistent/client.crt",
	"PGSSLKEY":             "/nonexistent/client.key",
	"PGSSLROOTCERT":        "/nonexistent/root.crt",
	"PGSSLCERTMODE":        "require",
	"PGSSLNEGOTIATION":     "direct",
	"PGSSLSNI":             "1",
	"PGSSLPASSWORD":        "wrong",
	"PGOPTIONS":            "-c search_path=nowhere -c statement_timeout=1",
	"PGAPPNAME":            "hijacked",
	"PGCONNECT_TIMEOUT":    "not-a-number",
	"PGTARGETSESSIONATTRS": "standby",
	"PGTZ":                 "America/New_York",
	"PGMINPROTOCOLVERSION": "3.2",
	"PGMAXPROTOCOLVERSION": "3.2",
	"PGCHANNELBINDING":     "require",
	"PGREQUIREAUTH":        "scram-sha-256",
	"PGCLIENTENCODING":     "LATIN1",
	"PGDATA":               "/nonexistent",
	"PGGSSENCMODE":         "require",
}

// checkSession connects with cs and checks that the session is the one the
// harness meant, whatever the environment says.
func checkSession(t *testing.T, cs, dbname string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pool, err := pgxpool.New(ctx, cs)
	require.NoError(t, err)
	defer pool.Close()
	var user, db, tz, app, path, timeout string
	require.NoError(t, pool.QueryRow(ctx, `select current_user, current_database(), current_setting('TimeZone'),
		current_setting('application_name'), current_setting('search_path'), current_setting('statement_timeout')`).
		Scan(&user, &db, &tz, &app, &path, &timeout))
	assert.Equal(t, []string{"postgres", dbname, "UTC", "pgtest", `"$user", public`, "0"},
		[]string{user, db, tz, app, path, timeout})
}

// TestEnvironmentIgnored: a developer's libpq environment (PGPORT of a local
// server, PGUSER, PGSERVICE…) neither stops a cluster from coming up nor
// sends a connection elsewhere, also for connection strings handed to
// other code.
func TestEnvironmentIgnored(t *testing.T) {
	clusters := Clusters(t)
	for k, v := range hostileEnv {
		t.Setenv(k, v)
	}
	var fresh *Cluster
	for _, c := range clusters {
		if c.BinDir != "" {
			fresh = c
			break
		}
	}
	if fresh != nil {
		t.Run("start "+fresh.String(), func(t *testing.T) {
			c := startCluster(fresh.BinDir, fresh.Major)
			require.NoError(t, c.err)
			defer c.stop()
			checkSession(t, c.UTF8.ConnString, "postgres")
			checkSession(t, c.Latin1.ConnString, latin1Name)
		})
	}
	Each(t, func(t *testing.T, c *Cluster) {
		if c.kind == externalServer {
			t.Skip("PGJWT_TEST_DATABASE is read as pgx reads it, environment included")
		}
		checkSession(t, c.UTF8.ConnString, c.UTF8.Name)
		db := c.NewDatabase(t, "UTF8")
		checkSession(t, db.ConnString, db.Name)
	})
}

func TestConnStringQuoting(t *testing.T) {
	dir := filepath.Join(t.TempDir(), `it's a \dir`)
	require.NoError(t, os.Mkdir(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, serviceFile), []byte("["+serviceName+"]\n"), 0o644))
	cfg, err := pgconn.ParseConfig(connString(dir, "db"))
	require.NoError(t, err)
	assert.Equal(t, dir, cfg.Host)
	assert.Equal(t, uint16(port), cfg.Port)
	assert.Equal(t, "db", cfg.Database)
}

func TestFull(t *testing.T) {
	mk := func(majors ...int) []*Cluster {
		var cs []*Cluster
		for _, m := range majors {
			cs = append(cs, &Cluster{Major: m})
		}
		return cs
	}
	full := func(cs []*Cluster) (out []int) {
		for _, c := range cs {
			if c.Full() {
				out = append(out, c.Major)
			}
		}
		return out
	}
	t.Setenv(EnvFull, "")
	cs := mk(13, 14, 15, 16, 17, 18)
	setFull(cs)
	assert.Equal(t, []int{15, 18}, full(cs))
	cs = mk(13, 16)
	setFull(cs)
	assert.Equal(t, []int{13, 16}, full(cs), "neither 15 nor 18: every cluster runs the full set")
	cs = mk(13, 15, 18)
	cs[1].err, cs[2].err = errors.New("down"), errors.New("down")
	setFull(cs)
	assert.Equal(t, []int{13, 15, 18}, full(cs), "15 and 18 failed to start: 13 runs the full set")
	t.Setenv(EnvFull, "1")
	cs = mk(13, 14, 15)
	setFull(cs)
	assert.Equal(t, []int{13, 14, 15}, full(cs))
}

// fakeBinDir is a bin directory whose postgres claims major 99 and whose
// initdb fails, as PostgreSQL 13's did on an option it did not know.
func fakeBinDir(t *testing.T) string {
	// Not t.TempDir: its parent is private, and initdb runs as the server user.
	dir, err := os.MkdirTemp("", "pgjwt-fake")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	require.NoError(t, os.Chmod(dir, 0o755))
	write := func(name, script string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+script), 0o755))
	}
	write("postgres", "echo 'postgres (PostgreSQL) 99.0'\n")
	write("initdb", "echo 'initdb: unrecognized option: --fake-option' >&2\necho 'FAKE-INITDB-DETAIL' >&2\nexit 1\n")
	return dir
}

// runSelf runs this test binary's tests matching run with env added (and
// the sharing and external variables cleared unless env sets them).
func runSelf(t *testing.T, env []string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.count=1", "-test.v"}, args...)...)
	cmd.Env = append(os.Environ(), EnvClusters+"=", EnvDatabase+"=")
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	code := 0
	if exit, ok := err.(*exec.ExitError); ok {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), code
}

// TestStartClusterFailure: initdb's failure and output end up in the
// cluster's error.
func TestStartClusterFailure(t *testing.T) {
	c := startCluster(fakeBinDir(t), 99)
	require.Error(t, c.err)
	assert.Contains(t, c.err.Error(), "initdb: exit status 1\ninitdb: unrecognized option: --fake-option\nFAKE-INITDB-DETAIL")
	assert.Equal(t, "pg99", c.String())
}

// clustersFile describes the working clusters of this test binary, plus
// extra entries, as Serve would.
func clustersFile(t *testing.T, extra ...sharedEntry) string {
	var f sharedFile
	for _, c := range Clusters(t) {
		if c.socket != "" {
			f.Clusters = append(f.Clusters, sharedEntry{Major: c.Major, BinDir: c.BinDir, Socket: c.socket})
		}
	}
	if len(f.Clusters) == 0 {
		t.Skip("no cluster started by pgtest (PGJWT_TEST_DATABASE)")
	}
	f.Clusters = append(f.Clusters, extra...)
	b, err := json.Marshal(f)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "clusters.json")
	require.NoError(t, os.WriteFile(path, b, 0o644))
	return path
}

// TestFailedClusterFailsOnlyItsSubtests: a major that did not start fails
// its own subtests, with the reason (the whole of it once), and the other
// majors pass; without PGJWT_REQUIRE_POSTGRES=1 its subtests skip.
func TestFailedClusterFailsOnlyItsSubtests(t *testing.T) {
	path := clustersFile(t, sharedEntry{Major: 99, BinDir: "/fake/bin",
		Error: "/fake/bin: initdb: exit status 1\ninitdb: unrecognized option: --fake-option\nFAKE-INITDB-DETAIL"})
	env := []string{EnvClusters + "=" + path, EnvRequire + "=1"}
	out, code := runSelf(t, env, "-test.run=^(TestClusters|TestNewDatabase)$")
	assert.NotEqual(t, 0, code, out)
	assert.Contains(t, out, "--- FAIL: TestClusters/pg99 ")
	assert.Contains(t, out, "--- FAIL: TestNewDatabase/pg99 ")
	assert.Contains(t, out, "pgtest: PostgreSQL 99 is not available, so its tests cannot run: /fake/bin: initdb: exit status 1\n")
	assert.Equal(t, 1, strings.Count(out, "FAKE-INITDB-DETAIL"), "the whole reason once:\n%s", out)
	assert.Regexp(t, `--- PASS: TestClusters/pg\d+/UTF8 `, out)
	assert.Regexp(t, `--- PASS: TestNewDatabase/pg\d+ `, out)
	assert.NotRegexp(t, `--- FAIL: \S+/pg[1-8]\d`, out, "only pg99 fails")

	env = []string{EnvClusters + "=" + path, EnvRequire + "="}
	out, code = runSelf(t, env, "-test.run=^TestClusters$")
	assert.Equal(t, 0, code, out)
	assert.Contains(t, out, "--- SKIP: TestClusters/pg99 ")
	assert.Regexp(t, `--- PASS: TestClusters/pg\d+/UTF8 `, out)
}

// TestServe runs this package's TestClusters under Serve, with a hostile
// libpq environment: the test binary uses the shared clusters (in databases
// of its own), and the summary lists every major with what ran, what did
// not start and what is missing.
func TestServe(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a cluster")
	}
	// One real cluster: the bin directory found without PGJWT_TEST_PG_BINDIRS
	// (which Serve adds anyway), or else one of this binary's.
	t.Setenv(EnvBinDirs, "")
	real := ""
	if dirs, _, err := findBinDirs(); err == nil && len(dirs) > 0 {
		real = dirs[0].dir
	} else {
		for _, c := range Clusters(t) {
			if c.BinDir != "" {
				real = c.BinDir
				break
			}
		}
	}
	if real == "" {
		t.Skip("no PostgreSQL bin directory")
	}
	t.Setenv(EnvBinDirs, fakeBinDir(t)+":"+real)
	t.Setenv(EnvRequire, "1")
	t.Setenv(EnvDatabase, "")
	for k, v := range hostileEnv {
		t.Setenv(k, v)
	}
	realMajor, err := binaryMajor(real)
	require.NoError(t, err)
	missing := 13
	if realMajor == 13 {
		missing = 14
	}
	var out, child strings.Builder
	code := serve([]string{os.Args[0], "-test.count=1", "-test.v", "-test.run=^TestClusters$"}, []int{realMajor}, &out, &child, &child)
	summary := out.String()
	assert.Equal(t, 1, code, "pg99 fails its subtests:\n%s\n%s", summary, child.String())
	assert.Contains(t, summary, "PostgreSQL 99 did not start: ")
	assert.Regexp(t, fmt.Sprintf(`PostgreSQL %d: ran: PostgreSQL %d\.\S* .*; 2 live subtests in 1 packages: 2 passed, 0 failed, 0 skipped`, realMajor, realMajor), summary)
	assert.Contains(t, summary, fmt.Sprintf("PostgreSQL %d: not available", missing))
	assert.Contains(t, summary, "PostgreSQL 99: did not start: ")
	assert.Contains(t, child.String(), "--- FAIL: TestClusters/pg99 ")

	// A required major that did not run fails the run even when the
	// command passed.
	t.Setenv(EnvRequire, "")
	out.Reset()
	child.Reset()
	code = serve([]string{os.Args[0], "-test.count=1", "-test.run=^TestClusters$"}, []int{realMajor, missing}, &out, &child, &child)
	assert.Equal(t, 1, code, "%s\n%s", out.String(), child.String())
	assert.Contains(t, child.String(), "PASS")
	assert.Contains(t, out.String(), fmt.Sprintf("PostgreSQL %d: not available (no bin directory of this major) (required)", missing))
}

// TestSharedDatabases: under Serve, each test binary works in databases of
// its own.
func TestSharedDatabases(t *testing.T) {
	Each(t, func(t *testing.T, c *Cluster) {
		if c.kind != sharedCluster {
			t.Skip("not under Serve")
		}
		assert.Equal(t, sharedDBName("UTF8"), c.UTF8.Name)
		assert.Equal(t, sharedDBName("LATIN1"), c.Latin1.Name)
	})
}
