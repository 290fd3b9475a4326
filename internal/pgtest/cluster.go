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

func startCluster(binDir string) (*Cluster, error) {
	cred, err := serverCredential()
	if err != nil {
		return nil, err
	}
	// A short path: a Unix socket path is limited to about 107 bytes.
	root, err := os.MkdirTemp("", "pgjwt")
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*Cluster, error) {
		_ = os.RemoveAll(root)
		return nil, fmt.Errorf("%s: %w", binDir, err)
	}
	if err := os.Chmod(root, 0o755); err != nil {
		return fail(err)
	}
	if cred != nil {
		if err := os.Chown(root, int(cred.Uid), int(cred.Gid)); err != nil {
			return fail(err)
		}
	}
	data := filepath.Join(root, "data")
	run := func(name string, args ...string) *exec.Cmd {
		cmd := exec.Command(filepath.Join(binDir, name), args...)
		cmd.Dir = root
		cmd.Env = []string{"PATH=" + binDir + ":/usr/bin:/bin", "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "TZ=UTC"}
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGQUIT}
		return cmd
	}
	initdb := run("initdb", "-D", data, "-U", "postgres", "--auth=trust", "--no-sync",
		"-E", "UTF8", "--locale=C.UTF-8", "--no-instructions")
	if out, err := initdb.CombinedOutput(); err != nil {
		return fail(fmt.Errorf("initdb: %v\n%s", err, out))
	}
	logFile, err := os.Create(filepath.Join(root, "postgres.log"))
	if err != nil {
		return fail(err)
	}
	defer logFile.Close()
	server := run("postgres", "-D", data, "-k", root,
		"-c", "listen_addresses=", "-c", "fsync=off", "-c", "synchronous_commit=off",
		"-c", "full_page_writes=off", "-c", "lc_messages=C", "-c", "timezone=UTC",
		"-c", "max_connections=200")
	server.Stdout, server.Stderr = logFile, logFile
	if err := server.Start(); err != nil {
		return fail(fmt.Errorf("postgres: %v", err))
	}
	p := &process{cmd: server, root: root, done: make(chan struct{})}
	go func() { _ = server.Wait(); close(p.done) }()

	c := &Cluster{BinDir: binDir, proc: p}
	cs := fmt.Sprintf("host=%s user=postgres dbname=postgres sslmode=disable", root)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := waitReady(ctx, cs, p.done); err != nil {
		log, _ := os.ReadFile(filepath.Join(root, "postgres.log"))
		p.stop()
		return nil, fmt.Errorf("%s: postgres did not come up: %v\n%s", binDir, err, log)
	}
	if err := c.setUp(ctx, cs, true); err != nil {
		p.stop()
		return nil, fmt.Errorf("%s: %w", binDir, err)
	}
	return c, nil
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

// setUp connects the UTF8 database, learns the version, installs pgcrypto and
// provides the LATIN1 database. For an external server (own == false) a missing
// LATIN1 database is not an error.
func (c *Cluster) setUp(ctx context.Context, cs string, own bool) error {
	name := "postgres"
	if cfg, err := pgxpool.ParseConfig(cs); err == nil && cfg.ConnConfig.Database != "" {
		name = cfg.ConnConfig.Database
	}
	utf8, err := openDB(ctx, c, name, cs)
	if err != nil {
		return err
	}
	c.UTF8 = utf8
	var num int
	if err := utf8.Pool.QueryRow(ctx, "select current_setting('server_version'), current_setting('server_version_num')::int, pg_encoding_to_char(encoding) from pg_database where datname = current_database()").
		Scan(&c.Version, &num, &utf8.Encoding); err != nil {
		return err
	}
	c.Major = num / 10000
	const latin1 = "pgjwt_test_latin1"
	if !own {
		var exists bool
		_ = utf8.Pool.QueryRow(ctx, "select exists(select 1 from pg_database where datname = $1)", latin1).Scan(&exists)
		if exists {
			if db, err := openDB(ctx, c, latin1, replaceDBName(cs, latin1)); err == nil {
				c.Latin1 = db
			}
			return nil
		}
	}
	db, err := c.createDatabase(ctx, latin1, "LATIN1")
	if err != nil {
		if own {
			return err
		}
		return nil
	}
	c.Latin1 = db
	return nil
}

func useExternal(cs string) (*Cluster, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c := &Cluster{}
	if err := c.setUp(ctx, cs, false); err != nil {
		return nil, err
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
