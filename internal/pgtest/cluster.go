package pgtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// port is the port of every cluster this package starts. There is no TCP
// listener; it only names the socket file (.s.PGSQL.5432) in the cluster's
// own directory.
const port = 5432

// process is a postgres server started by this package.
type process struct {
	cmd  *exec.Cmd
	root string // temporary directory holding data and socket
	done chan struct{}
}

func (p *process) stop() {
	// SIGQUIT is PostgreSQL's immediate shutdown: the cluster is thrown away.
	_ = p.cmd.Process.Signal(syscall.SIGQUIT)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
	_ = os.RemoveAll(p.root)
}

var lookPath = exec.LookPath

var versionRE = regexp.MustCompile(`\(PostgreSQL\) (\d+)`)

// binaryMajor asks the postgres binary of dir for its major version.
func binaryMajor(dir string) (int, error) {
	out, err := exec.Command(filepath.Join(dir, "postgres"), "--version").Output()
	if err != nil {
		return 0, fmt.Errorf("%s/postgres --version: %v", dir, err)
	}
	m := versionRE.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("%s/postgres --version: unexpected output %q", dir, out)
	}
	return strconv.Atoi(string(m[1]))
}

// serverCredential returns the user that initdb and postgres run as: the
// current one, or an unprivileged one when running as root (PostgreSQL
// refuses to run as root).
func serverCredential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, _ := strconv.ParseUint(u.Uid, 10, 32)
		gid, _ := strconv.ParseUint(u.Gid, 10, 32)
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true}, nil
	}
	return nil, errors.New("running as root and neither user postgres nor nobody exists")
}

// serviceName and serviceFile: see connString.
const (
	serviceName = "pgtest"
	serviceFile = "pg_service.conf"
)

// connString is a complete keyword/value connection string for database
// dbname of the cluster whose socket is in dir. pgx (like libpq) takes every
// setting a connection string leaves out from the environment, so a caller
// with PGHOST, PGPORT, PGUSER, PGDATABASE, PGOPTIONS, PGTZ, PGSERVICE… set
// would otherwise dial another server, or change the sessions' settings.
// Every such setting is given here; a setting given empty still overrides
// the environment. The service names an empty service in a file of the
// cluster's directory: pgx reads PGSERVICE whenever a service is named
// anywhere, and fails when it does not exist, so the only way to ignore it
// is to name one that does. TLS settings do not apply to a Unix socket.
//
// The same string works for the child processes tests start (the CLI,
// the examples), which inherit the caller's environment too.
func connString(dir, dbname string) string {
	settings := []struct{ key, value string }{
		{"host", dir},
		{"port", strconv.Itoa(port)},
		{"dbname", dbname},
		{"user", "postgres"},
		{"password", ""}, // trust authentication
		{"service", serviceName},
		{"servicefile", filepath.Join(dir, serviceFile)},
		{"sslmode", "disable"},
		{"sslcertmode", "disable"},
		{"sslnegotiation", "postgres"},
		{"channel_binding", "disable"},
		{"require_auth", ""},
		{"target_session_attrs", "any"},
		{"connect_timeout", "0"},
		{"min_protocol_version", "3.0"},
		{"max_protocol_version", "3.0"},
		{"application_name", "pgtest"},
		{"options", ""},
		{"timezone", "UTC"},
	}
	var b strings.Builder
	for i, s := range settings {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s.key)
		b.WriteByte('=')
		b.WriteString(quoteValue(s.value))
	}
	return b.String()
}

// quoteValue quotes a keyword/value connection string value.
func quoteValue(v string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
}

// startCluster initialises and starts a throwaway cluster from binDir. On
// failure it returns a Cluster with err set, so that only that major's
// tests fail.
func startCluster(binDir string, major int) *Cluster {
	c := &Cluster{Major: major, BinDir: binDir, kind: ownCluster}
	if err := c.start(); err != nil {
		c.err = fmt.Errorf("%s: %w", binDir, err)
	}
	return c
}

func (c *Cluster) start() error {
	cred, err := serverCredential()
	if err != nil {
		return err
	}
	// A short path: a Unix socket path is limited to about 107 bytes.
	root, err := os.MkdirTemp("", "pgjwt")
	if err != nil {
		return err
	}
	fail := func(err error) error {
		_ = os.RemoveAll(root)
		return err
	}
	if err := os.Chmod(root, 0o755); err != nil {
		return fail(err)
	}
	if cred != nil {
		if err := os.Chown(root, int(cred.Uid), int(cred.Gid)); err != nil {
			return fail(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, serviceFile),
		[]byte("# pgtest: an empty service, so that PGSERVICE is not read.\n["+serviceName+"]\n"), 0o644); err != nil {
		return fail(err)
	}
	data := filepath.Join(root, "data")
	run := func(name string, args ...string) *exec.Cmd {
		cmd := exec.Command(filepath.Join(c.BinDir, name), args...)
		cmd.Dir = root
		// Nothing of the caller's environment (PGPORT, PGDATA, PGOPTIONS…).
		cmd.Env = []string{"PATH=" + c.BinDir + ":/usr/bin:/bin", "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "TZ=UTC"}
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGQUIT}
		return cmd
	}
	// No --no-instructions: PostgreSQL 13's initdb does not know it, and the
	// output is only shown when initdb fails.
	initdb := run("initdb", "-D", data, "-U", "postgres", "--auth=trust", "--no-sync",
		"-E", "UTF8", "--locale=C.UTF-8")
	if out, err := initdb.CombinedOutput(); err != nil {
		return fail(fmt.Errorf("initdb: %v\n%s", err, out))
	}
	logFile, err := os.Create(filepath.Join(root, "postgres.log"))
	if err != nil {
		return fail(err)
	}
	defer logFile.Close()
	server := run("postgres", "-D", data, "-k", root, "-p", strconv.Itoa(port),
		"-c", "listen_addresses=", "-c", "fsync=off", "-c", "synchronous_commit=off",
		"-c", "full_page_writes=off", "-c", "lc_messages=C", "-c", "timezone=UTC",
		"-c", "max_connections=300")
	server.Stdout, server.Stderr = logFile, logFile
	if err := server.Start(); err != nil {
		return fail(fmt.Errorf("postgres: %v", err))
	}
	p := &process{cmd: server, root: root, done: make(chan struct{})}
	go func() { _ = server.Wait(); close(p.done) }()
	c.proc, c.socket = p, root

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := waitReady(ctx, connString(root, "postgres"), p.done); err != nil {
		log, _ := os.ReadFile(filepath.Join(root, "postgres.log"))
		p.stop()
		c.proc = nil
		return fmt.Errorf("postgres did not come up: %v\n%s", err, log)
	}
	if err := c.setUpOwn(ctx); err != nil {
		c.stop()
		return err
	}
	return nil
}

func waitReady(ctx context.Context, cs string, exited <-chan struct{}) error {
	for {
		pool, err := pgxpool.New(ctx, cs)
		if err == nil {
			err = pool.Ping(ctx)
			pool.Close()
			if err == nil {
				return nil
			}
		}
		select {
		case <-exited:
			return errors.New("postgres exited")
		case <-ctx.Done():
			return fmt.Errorf("%v (last error: %v)", ctx.Err(), err)
		case <-time.After(25 * time.Millisecond):
		}
	}
}

// setUpOwn: in a cluster this package started, the UTF8 database is
// "postgres" and the LATIN1 one is created.
func (c *Cluster) setUpOwn(ctx context.Context) error {
	utf8, err := openDB(ctx, c, "postgres", connString(c.socket, "postgres"))
	if err != nil {
		return err
	}
	c.UTF8 = utf8
	if err := c.learnVersion(ctx); err != nil {
		return err
	}
	db, err := c.createDatabase(ctx, latin1Name, "LATIN1")
	if err != nil {
		return err
	}
	c.Latin1 = db
	return nil
}

const latin1Name = "pgjwt_test_latin1"

func (c *Cluster) learnVersion(ctx context.Context) error {
	var num int
	if err := c.UTF8.Pool.QueryRow(ctx, "select current_setting('server_version'), current_setting('server_version_num')::int").
		Scan(&c.Version, &num); err != nil {
		return err
	}
	if c.Major != 0 && c.Major != num/10000 {
		return fmt.Errorf("the server is PostgreSQL %d, its binary said %d", num/10000, c.Major)
	}
	c.Major = num / 10000
	return nil
}

// useExternal connects the server of PGJWT_TEST_DATABASE: a normal pgx
// connection string, environment included, whose database is the UTF8 one.
// A missing LATIN1 database is not an error.
func useExternal(cs string) (*Cluster, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := &Cluster{kind: externalServer}
	name := "postgres"
	if cfg, err := pgxpool.ParseConfig(cs); err == nil && cfg.ConnConfig.Database != "" {
		name = cfg.ConnConfig.Database
	}
	utf8, err := openDB(ctx, c, name, cs)
	if err != nil {
		return nil, err
	}
	c.UTF8 = utf8
	if err := c.learnVersion(ctx); err != nil {
		c.stop()
		return nil, err
	}
	var exists bool
	_ = utf8.Pool.QueryRow(ctx, "select exists(select 1 from pg_database where datname = $1)", latin1Name).Scan(&exists)
	if exists {
		if db, err := openDB(ctx, c, latin1Name, replaceDBName(cs, latin1Name)); err == nil {
			c.Latin1 = db
		}
	} else if db, err := c.createDatabase(ctx, latin1Name, "LATIN1"); err == nil {
		c.Latin1 = db
	}
	return c, nil
}

// openDB connects to a database and makes sure pgcrypto is installed there.
func openDB(ctx context.Context, c *Cluster, name, cs string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(cs)
	if err != nil {
		return nil, err
	}
	cfg.MaxConns = 8
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if _, err := pool.Exec(ctx, "create extension if not exists pgcrypto"); err != nil {
		pool.Close()
		return nil, fmt.Errorf("database %s: create extension pgcrypto: %w", name, err)
	}
	db := &DB{Name: name, ConnString: cs, Pool: pool, Cluster: c}
	if err := pool.QueryRow(ctx, "select pg_encoding_to_char(encoding) from pg_database where datname = current_database()").Scan(&db.Encoding); err != nil {
		pool.Close()
		return nil, err
	}
	return db, nil
}

// dbConnString is the connection string of database name in the cluster.
func (c *Cluster) dbConnString(name string) string {
	if c.kind == externalServer {
		return replaceDBName(c.UTF8.ConnString, name)
	}
	return connString(c.socket, name)
}

// replaceDBName returns the connection string cs pointed at database name.
// It understands both URL and keyword/value forms.
func replaceDBName(cs, name string) string {
	if strings.HasPrefix(cs, "postgres://") || strings.HasPrefix(cs, "postgresql://") {
		u, err := url.Parse(cs)
		if err == nil {
			u.Path = "/" + name
			return u.String()
		}
	}
	var b bytes.Buffer
	for _, f := range strings.Fields(cs) {
		if strings.HasPrefix(f, "dbname=") {
			continue
		}
		b.WriteString(f)
		b.WriteByte(' ')
	}
	b.WriteString("dbname=" + name)
	return b.String()
}
