// Command serve starts one throwaway PostgreSQL cluster per major, as the
// tests would, and runs a command that shares them, typically the whole
// test suite:
//
//	go run ./internal/pgtest/serve -require 13,14,15,16,17,18 -- go test -race -count=1 ./...
//
// Every test binary of the command then uses these clusters (each in
// databases of its own) instead of starting its own, and when the command
// ends serve prints which majors ran, stops the clusters and exits with the
// command's status, or 1 when a major named by -require had no live test
// that passed. See package pgtest for where the servers come from.
package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/pgjwt-go/pgjwt/internal/pgtest"
)

func main() {
	require := flag.String("require", "", "comma-separated majors whose live tests must run, e.g. 13,14,15,16,17,18")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: serve [-require majors] -- command [args...]\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	var majors []int
	for _, f := range strings.Split(*require, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		m, err := strconv.Atoi(f)
		if err != nil {
			fmt.Fprintf(os.Stderr, "serve: -require: %q is not a major\n", f)
			os.Exit(2)
		}
		majors = append(majors, m)
	}
	os.Exit(pgtest.Serve(flag.Args(), majors, os.Stdout))
}
