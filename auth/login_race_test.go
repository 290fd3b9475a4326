//go:build race

package auth

// loginTestsTrimmed cuts the bcrypt-heavy login tests down: the race
// detector slows bcrypt about tenfold.
const loginTestsTrimmed = true
