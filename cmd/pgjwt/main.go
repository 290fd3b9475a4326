package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
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

var commands = []*command{signCommand, verifyCommand, cryptCommand, genSaltCommand}

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

// help implements "pgjwt help [COMMAND]".
func help(e *env, args []string) int {
	switch len(args) {
	case 0:
		printOverview(e.stdout)
		return exitOK
	case 1:
		cmd := lookup(args[0])
		if cmd == nil {
			return report(e, &usageError{msg: fmt.Sprintf("unknown command %q", args[0])})
		}
		return report(e, cmd.run(e, &globals{pg: defaultMajor}, cmd, []string{"--help"}))
	default:
		return report(e, &usageError{msg: "help takes at most one command name"})
	}
}

func printOverview(w io.Writer) {
	fmt.Fprint(w, `pgjwt issues and checks the password hashes and JWTs that PostgreSQL
issues with pgcrypto and pgjwt, byte for byte, without a database.

Usage:
  pgjwt [--pg MAJOR] COMMAND [flags] [arguments]

Commands:
`)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, `  help      show help for a command

Global flags:
  --pg MAJOR  PostgreSQL major (%d–%d) whose behaviour to follow (default %d);
              every command also accepts it after its name

Secrets are read from --secret-file FILE or the PGJWT_SECRET environment
variable, never from the command line unless you insist with --secret.

Exit status: 0 success (verify: the token is valid), 1 verify: the token is
invalid or its validity is NULL, 2 error.

Run "pgjwt help COMMAND" or "pgjwt COMMAND --help" for a command's flags.
`, minMajor, maxMajor, defaultMajor)
}

// majorFlag is the --pg flag: a PostgreSQL major in minMajor..maxMajor.
type majorFlag struct{ p *int }

func (f majorFlag) String() string {
	if f.p == nil {
		return ""
	}
	return fmt.Sprint(*f.p)
}

func (f majorFlag) Set(s string) error {
	var n int
	if _, err := fmt.Sscanf(s, "%d", &n); err != nil || fmt.Sprint(n) != s {
		return fmt.Errorf("not a PostgreSQL major version: %q", s)
	}
	if n < minMajor || n > maxMajor {
		return fmt.Errorf("PostgreSQL %d is not supported (%d–%d are)", n, minMajor, maxMajor)
	}
	*f.p = n
	return nil
}

// newFlagSet returns the flag set of cmd with the flags every command has
// (--pg, defaulting to the global value, and --help).
func newFlagSet(cmd *command, g *globals, major *int) *flag.FlagSet {
	fs := flag.NewFlagSet("pgjwt "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	*major = g.pg
	fs.Var(majorFlag{major}, "pg", fmt.Sprintf("PostgreSQL `major` (%d–%d) whose behaviour to follow", minMajor, maxMajor))
	return fs
}

// parse parses args with fs, allowing flags after positional arguments
// ("gen-salt bf --pg 15") as well as before. "--" ends the flags; a word
// that looks like a negative number ("-1") is an argument, not a flag. On
// --help it prints the command's help to stdout and returns errHelpShown.
func parse(e *env, cmd *command, fs *flag.FlagSet, args []string) ([]string, error) {
	var flags, positional []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			positional = append(positional, args[i+1:]...)
			i = len(args)
		case len(a) < 2 || a[0] != '-' || looksNegative(a):
			positional = append(positional, a)
		default:
			flags = append(flags, a)
			if !strings.Contains(a, "=") && takesValue(fs, strings.TrimLeft(a, "-")) && i+1 < len(args) {
				i++
				flags = append(flags, args[i])
			}
		}
	}
	if err := fs.Parse(flags); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printCommandHelp(e.stdout, cmd, fs)
			return nil, errHelpShown
		}
		return nil, &usageError{cmd: cmd, msg: err.Error()}
	}
	return positional, nil
}

// takesValue reports whether the flag name is defined and not boolean.
func takesValue(fs *flag.FlagSet, name string) bool {
	f := fs.Lookup(name)
	if f == nil {
		return false
	}
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return !ok || !b.IsBoolFlag()
}

func looksNegative(s string) bool {
	return len(s) >= 2 && s[0] == '-' && s[1] >= '0' && s[1] <= '9'
}

// errHelpShown is returned after --help printed the help; the exit code is 0.
var errHelpShown = errors.New("help shown")

func printCommandHelp(w io.Writer, cmd *command, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: pgjwt %s %s\n\n%s\n\nFlags:\n", cmd.name, cmd.synopsis, commandDoc[cmd.name])
	fs.VisitAll(func(f *flag.Flag) {
		arg, usage := flag.UnquoteUsage(f)
		if arg != "" {
			arg = " " + strings.ToUpper(arg)
		}
		fmt.Fprintf(w, "  --%s%s\n", f.Name, arg)
		fmt.Fprintf(w, "        %s\n", usage)
	})
}

// commandDoc holds each command's help text (after its usage line); each
// command's file fills in its own entry.
var commandDoc = map[string]string{}
