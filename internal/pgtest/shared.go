package pgtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// sharedFile is the file PGJWT_TEST_CLUSTERS names: the clusters Serve
// started, for the test binaries it runs.
type sharedFile struct {
	Clusters []sharedEntry `json:"clusters"`
	Reports  string        `json:"reports"` // directory for each test binary's tally
}

type sharedEntry struct {
	Major  int    `json:"major"`
	BinDir string `json:"binDir"`
	Socket string `json:"socket,omitempty"` // socket directory; connString builds the rest
	Error  string `json:"error,omitempty"`  // why it did not start; its tests fail
}

// report is one test binary's tally of live subtests (Each, EachDB).
type report struct {
	Dir    string        `json:"dir"` // the package directory (go test's working directory)
	Majors []majorReport `json:"majors"`
}

type majorReport struct {
	Major   int    `json:"major"`
	Version string `json:"version,omitempty"`
	Passed  int    `json:"passed"`
	Failed  int    `json:"failed"`
	Skipped int    `json:"skipped"`
}

var (
	reportDir string // from the shared file
	tallyMu   sync.Mutex
	tallies   = map[*Cluster]*majorReport{}
)

// tally counts one live subtest of c.
func tally(c *Cluster, ok, skipped bool) {
	tallyMu.Lock()
	defer tallyMu.Unlock()
	r := tallies[c]
	if r == nil {
		r = &majorReport{Major: c.Major, Version: c.Version}
		tallies[c] = r
	}
	switch {
	case !ok:
		r.Failed++
	case skipped:
		r.Skipped++
	default:
		r.Passed++
	}
}

// writeReport leaves this test binary's tally for Serve's summary.
func writeReport() {
	if reportDir == "" {
		return
	}
	tallyMu.Lock()
	defer tallyMu.Unlock()
	r := report{}
	r.Dir, _ = os.Getwd()
	for _, t := range tallies {
		r.Majors = append(r.Majors, *t)
	}
	b, _ := json.Marshal(r)
	_ = os.WriteFile(filepath.Join(reportDir, fmt.Sprintf("%d.json", os.Getpid())), b, 0o644)
}

// attachShared connects the clusters of the file PGJWT_TEST_CLUSTERS names,
// creating this test binary's own UTF8 and LATIN1 databases in each.
func attachShared(path string) ([]*Cluster, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvClusters, err)
	}
	var f sharedFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("%s: %s: %w", EnvClusters, path, err)
	}
	reportDir = f.Reports
	cs := make([]*Cluster, len(f.Clusters))
	var wg sync.WaitGroup
	for i, e := range f.Clusters {
		c := &Cluster{Major: e.Major, BinDir: e.BinDir, kind: sharedCluster, socket: e.Socket}
		cs[i] = c
		if e.Error != "" {
			c.err = errors.New(e.Error)
			continue
		}
		wg.Go(func() {
			if err := c.attach(); err != nil {
				c.detach()
				c.stop()
				c.err = fmt.Errorf("%s: %w", e.BinDir, err)
			}
		})
	}
	wg.Wait()
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].Major < cs[j].Major })
	return cs, nil
}

// sharedDBName names this test binary's databases in a shared cluster.
func sharedDBName(encoding string) string {
	return fmt.Sprintf("pgjwt_b%d_%s", os.Getpid(), strings.ToLower(encoding))
}

// attach: the test binaries that share a cluster run at the same time, each
// in databases of its own (cluster-wide objects, roles, are shared: tests
// give them unique names or create them idempotently).
func (c *Cluster) attach() error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cfg, err := pgxpool.ParseConfig(connString(c.socket, "postgres"))
	if err != nil {
		return err
	}
	cfg.MaxConns = 4
	if c.admin, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return err
	}
	if c.UTF8, err = c.createDatabase(ctx, sharedDBName("UTF8"), "UTF8"); err != nil {
		return err
	}
	if err := c.learnVersion(ctx); err != nil {
		return err
	}
	c.Latin1, err = c.createDatabase(ctx, sharedDBName("LATIN1"), "LATIN1")
	return err
}

// detach drops this test binary's databases from a shared cluster.
func (c *Cluster) detach() {
	if c.admin == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, db := range []*DB{c.UTF8, c.Latin1} {
		if db != nil {
			db.Pool.Close()
			_, _ = c.admin.Exec(ctx, "drop database if exists "+db.Name+" with (force)")
		}
	}
}

// Serve starts the clusters a test binary would start (one per major found
// through PGJWT_TEST_PG_BINDIRS, PATH and /usr/lib/postgresql), in parallel
// and once, and runs the command args with PGJWT_TEST_CLUSTERS naming them,
// so that every test binary the command runs (go test ./...) shares them
// instead of starting its own. It then prints to out, for each of Majors and
// any other major found, whether its live tests ran (and how many passed,
// failed and were skipped, over all packages), stops the clusters, and
// returns the command's exit status, or 1 when a major of require had no
// live test that passed.
//
// With PGJWT_TEST_DATABASE set, nothing is started: the command runs
// against that server.
func Serve(args []string, require []int, out io.Writer) int {
	return serve(args, require, out, os.Stdout, os.Stderr)
}

func serve(args []string, require []int, out, stdout, stderr io.Writer) int {
	logf := func(format string, a ...any) { fmt.Fprintf(out, "pgtest: "+format+"\n", a...) }
	if len(args) == 0 {
		logf("no command to run")
		return 2
	}
	var env []string
	var clusters []*Cluster
	var dups []binDir
	dir := ""
	if os.Getenv(EnvDatabase) != "" {
		logf("%s is set: running against that server, starting no cluster", EnvDatabase)
	} else {
		dirs, why, err := findBinDirs()
		if err != nil {
			logf("%v", err)
			return 2
		}
		dups = duplicateDirs(dirs)
		if len(dirs) == 0 {
			logf("no PostgreSQL found (%s)", why)
		}
		t0 := time.Now()
		clusters = startClusters(dirs)
		defer func() {
			var wg sync.WaitGroup
			for _, c := range clusters {
				wg.Go(c.stop)
			}
			wg.Wait()
		}()
		f := sharedFile{}
		for _, c := range clusters {
			e := sharedEntry{Major: c.Major, BinDir: c.BinDir, Socket: c.socket}
			if c.err != nil {
				e.Error, e.Socket = c.err.Error(), ""
				logf("PostgreSQL %d did not start: %v", c.Major, c.err)
			} else {
				logf("PostgreSQL %s started (%s)", c.Version, c.BinDir)
				// The test binaries make their own databases.
				for _, db := range []*DB{c.UTF8, c.Latin1} {
					db.Pool.Close()
				}
				c.UTF8, c.Latin1 = nil, nil
			}
			f.Clusters = append(f.Clusters, e)
		}
		if len(clusters) > 0 {
			logf("%d clusters in %.1f s", len(clusters), time.Since(t0).Seconds())
			if dir, err = os.MkdirTemp("", "pgjwt-serve"); err != nil {
				logf("%v", err)
				return 2
			}
			defer os.RemoveAll(dir)
			f.Reports = filepath.Join(dir, "reports")
			if err := os.Mkdir(f.Reports, 0o755); err != nil {
				logf("%v", err)
				return 2
			}
			b, _ := json.MarshalIndent(f, "", "  ")
			path := filepath.Join(dir, "clusters.json")
			if err := os.WriteFile(path, b, 0o644); err != nil {
				logf("%v", err)
				return 2
			}
			env = append(env, EnvClusters+"="+path)
		}
	}

	code := runCommand(args, env, stdout, stderr)

	if dir == "" {
		return code
	}
	reports := readReports(filepath.Join(dir, "reports"))
	fmt.Fprintln(out, "\nlive PostgreSQL majors:")
	if !summarise(out, clusters, dups, reports, require) && code == 0 {
		code = 1
	}
	return code
}

// runCommand runs args with extra environment variables, passing SIGINT
// and SIGTERM on, and returns its exit status.
func runCommand(args, env []string, stdout, stderr io.Writer) int {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, stdout, stderr
	cmd.Env = append(os.Environ(), env...)
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(stderr, "pgtest: %v\n", err)
		return 127
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-sigs:
				_ = cmd.Process.Signal(s)
			case <-done:
				return
			}
		}
	}()
	err := cmd.Wait()
	close(done)
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		if exit.ExitCode() < 0 {
			return 1 // killed by a signal
		}
		return exit.ExitCode()
	}
	if err != nil {
		return 1
	}
	return 0
}

// duplicateDirs lists PGJWT_TEST_PG_BINDIRS entries left out because an
// earlier directory has the same major.
func duplicateDirs(chosen []binDir) []binDir {
	var dups []binDir
	for _, d := range filepath.SplitList(os.Getenv(EnvBinDirs)) {
		if d == "" || slices.ContainsFunc(chosen, func(b binDir) bool { return b.dir == d }) {
			continue
		}
		if major, err := binaryMajor(d); err == nil {
			dups = append(dups, binDir{d, major})
		}
	}
	return dups
}

func readReports(dir string) []report {
	entries, _ := os.ReadDir(dir)
	var rs []report
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		var r report
		if json.Unmarshal(b, &r) == nil {
			rs = append(rs, r)
		}
	}
	return rs
}

// summarise prints one line per major and reports whether every major of
// require ran.
func summarise(out io.Writer, clusters []*Cluster, dups []binDir, reports []report, require []int) bool {
	majors := slices.Clone(Majors)
	for _, c := range clusters {
		if !slices.Contains(majors, c.Major) {
			majors = append(majors, c.Major)
		}
	}
	slices.Sort(majors)
	ok := true
	for _, m := range majors {
		i := slices.IndexFunc(clusters, func(c *Cluster) bool { return c.Major == m })
		var line string
		ran := false
		switch {
		case i < 0:
			line = "not available (no bin directory of this major)"
		case clusters[i].err != nil:
			first, _, _ := strings.Cut(clusters[i].err.Error(), "\n")
			line = "did not start: " + first
		default:
			c := clusters[i]
			var sum majorReport
			pkgs := 0
			for _, r := range reports {
				for _, mr := range r.Majors {
					if mr.Major == m {
						pkgs++
						sum.Passed += mr.Passed
						sum.Failed += mr.Failed
						sum.Skipped += mr.Skipped
					}
				}
			}
			ran = sum.Passed > 0
			verb := "ran"
			if !ran {
				verb = "started, but no live test passed"
			}
			line = fmt.Sprintf("%s: PostgreSQL %s (%s); %d live subtests in %d packages: %d passed, %d failed, %d skipped",
				verb, c.Version, c.BinDir, sum.Passed+sum.Failed+sum.Skipped, pkgs, sum.Passed, sum.Failed, sum.Skipped)
		}
		for _, d := range dups {
			if d.major == m {
				line += fmt.Sprintf("; not run: %s (the first directory of a major is used)", d.dir)
			}
		}
		mark := ""
		if slices.Contains(require, m) && !ran {
			ok = false
			mark = " (required)"
		}
		fmt.Fprintf(out, "PostgreSQL %d: %s%s\n", m, line, mark)
	}
	return ok
}
