package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

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
