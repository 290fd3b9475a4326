package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// help implements "pgjwt help [COMMAND]".
func help(e *env, args []string) int {
	switch len(args) {
	case 0:
		printOverview(e.stdout)
		return exitOK
	case 1:
		if args[0] == "help" {
			printOverview(e.stdout)
			return exitOK
		}
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
Input bytes are used as they are (a UTF8 database for UTF-8 text); crypt and
sign take --encoding LATIN1 to reproduce a LATIN1 database.

Exit status: 0 success (verify: the token is valid), 1 verify: the token is
invalid or its validity is NULL, 2 error.

Run "pgjwt help COMMAND" or "pgjwt COMMAND --help" for a command's flags.
`, minMajor, maxMajor, defaultMajor)
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
