package pgtest

import "testing"

// Trimmed reports whether slow tests should run a trimmed set of cases:
// under -short, and under the race detector, which makes hashing and
// table-driven code about ten times slower. It is the one switch for that;
// for what must differ by major instead, see Cluster.Full.
func Trimmed() bool { return testing.Short() || RaceEnabled }
