//go:build !race

package pgtest

// RaceEnabled reports whether the tests run under the race detector
// (go test -race). Prefer Trimmed, which also covers -short.
const RaceEnabled = false
