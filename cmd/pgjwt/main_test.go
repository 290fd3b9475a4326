package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
)

// TestMain makes the test binary double as the pgjwt binary: started under
// the name "pgjwt" (the symlink TestScripts puts on the scripts' PATH) it
// runs the CLI, exactly as the built command would.
//
// testscript.Main would do the same dispatch, but it owns the exit path
// (it calls os.Exit itself and removes its binary copy only when m.Run
// returns), and so does pgtest.Main, which must stop the PostgreSQL clusters
// of the live tests. Dispatching here and letting pgtest.Main run the tests
// keeps both guarantees: no cluster and no temporary binary outlives the run.
func TestMain(m *testing.M) {
	if filepath.Base(os.Args[0]) == "pgjwt" {
		os.Exit(run(os.Args[1:], systemEnv()))
	}
	pgtest.Main(m)
}

// TestScripts runs the end-to-end scripts in testdata/script: each runs the
// real binary (this test binary under the name pgjwt) in a fresh directory
// with a minimal environment.
func TestScripts(t *testing.T) {
	testscript.Run(t, scriptParams(t, "testdata/script"))
}

func scriptParams(t *testing.T, dir string) testscript.Params {
	bin := pgjwtOnPath(t)
	return testscript.Params{
		Dir:                 dir,
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("PATH", bin+string(os.PathListSeparator)+env.Getenv("PATH"))
			env.Setenv("GORACE", childGORACE())
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode": cmdExitCode,
		},
	}
}

// pgjwtOnPath returns a directory holding "pgjwt", a symlink to this test
// binary (removed with the test's temporary directory).
func pgjwtOnPath(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	if err := os.Symlink(exe, filepath.Join(bin, "pgjwt")); err != nil {
		t.Fatal(err)
	}
	return bin
}

// childGORACE is GORACE for the pgjwt processes a test starts. Under -race
// each would otherwise sleep a second at exit (atexit_sleep_ms defaults to
// 1000), which across a few hundred runs is most of the package's test time.
// Options the caller set in GORACE still apply.
func childGORACE() string {
	return strings.TrimSpace("atexit_sleep_ms=0 " + os.Getenv("GORACE"))
}

// cmdExitCode is the script command "exitcode N program [args...]": it runs
// the program like exec and checks that it exits with status N, so scripts
// can tell verify's 1 (invalid) from 2 (error).
func cmdExitCode(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! exitcode")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: exitcode N program [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exitcode: bad status %q", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exitcode: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
	}
}
