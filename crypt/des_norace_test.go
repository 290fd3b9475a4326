//go:build !race

package crypt

const dsRaceEnabled = false
