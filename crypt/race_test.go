//go:build race

package crypt

// raceEnabled trims the live tests: the race detector slows bcrypt ~10×.
const raceEnabled = true
