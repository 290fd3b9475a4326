//go:build race

package crypt

// dsRaceEnabled: the race detector slows table-driven code tenfold; the
// DES/sha differential tests generate fewer cases under it.
const dsRaceEnabled = true
