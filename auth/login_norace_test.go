//go:build !race

package auth

const loginTestsTrimmed = false
