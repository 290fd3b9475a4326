package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"golang.org/x/term"
)

// Exit codes. verify uses exitFalse for a token that is invalid or whose
// validity is NULL; every other command uses only exitOK and exitError.
const (
	exitOK    = 0
	exitFalse = 1
	exitError = 2
)

// env is everything a command touches outside its arguments, so that tests
// can run a command in-process with fixed input, clock and environment.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// lookupEnv is os.LookupEnv in the real program.
	lookupEnv func(string) (string, bool)
	// now is the wall clock (time.Now in the real program).
	now func() time.Time
	// stdinTerminal reports whether stdin is an interactive terminal.
	stdinTerminal func() bool
	// readPassword writes prompt to stderr and reads one line from the
	// terminal on stdin with echo turned off.
	readPassword func(prompt string) ([]byte, error)
}

// command is one subcommand of pgjwt.
type command struct {
	name     string
	synopsis string // the arguments after "pgjwt NAME"
	summary  string // one line for "pgjwt help"
	// run parses args (the words after the command name) and does the work.
	run func(e *env, g *globals, cmd *command, args []string) error
}

// globals are the options given before the command name.
type globals struct {
	pg int // PostgreSQL major whose behaviour to follow
}

const (
	defaultMajor = 18
	minMajor     = 13
	maxMajor     = 18
)

var commands = []*command{signCommand, verifyCommand, keygenCommand, cryptCommand, genSaltCommand}

func main() {
	os.Exit(run(os.Args[1:], systemEnv()))
}

func systemEnv() *env {
	return &env{
		stdin:         os.Stdin,
		stdout:        os.Stdout,
		stderr:        os.Stderr,
		lookupEnv:     os.LookupEnv,
		now:           time.Now,
		stdinTerminal: func() bool { return term.IsTerminal(int(os.Stdin.Fd())) },
		readPassword: func(prompt string) ([]byte, error) {
			fmt.Fprint(os.Stderr, prompt)
			defer fmt.Fprintln(os.Stderr) // the user's Enter was not echoed
			return term.ReadPassword(int(os.Stdin.Fd()))
		},
	}
}

// run is the whole program: it returns the process exit code.
func run(args []string, e *env) int {
	g := &globals{pg: defaultMajor}
	fs := flag.NewFlagSet("pgjwt", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Var(majorFlag{&g.pg}, "pg", "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printOverview(e.stdout)
			return exitOK
		}
		return report(e, &usageError{msg: err.Error()})
	}
	rest := fs.Args()
	if len(rest) == 0 {
		printOverview(e.stderr)
		return exitError
	}
	name, rest := rest[0], rest[1:]
	if name == "help" {
		return help(e, rest)
	}
	cmd := lookup(name)
	if cmd == nil {
		return report(e, &usageError{msg: fmt.Sprintf("unknown command %q", name)})
	}
	if err := cmd.run(e, g, cmd, rest); err != nil {
		return report(e, err)
	}
	return exitOK
}

func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}
