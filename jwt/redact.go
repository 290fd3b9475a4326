package jwt

import (
	"fmt"
	"io"
	"strconv"
)

// The HMAC cache holds secrets. Nothing of it is handed out, but a debug
// print (or a panic dump of a value) must not show them: these types print
// the algorithm and the secret's length only, for every verb.

func (a algorithm) String() string {
	switch a {
	case algHS256:
		return "HS256"
	case algHS384:
		return "HS384"
	case algHS512:
		return "HS512"
	}
	return "unknown"
}

func (k cacheKey) String() string {
	return "{" + k.alg.String() + " [REDACTED " + strconv.Itoa(len(k.secret)) + " bytes]}"
}

func (k cacheKey) Format(f fmt.State, verb rune) { io.WriteString(f, k.String()) }

func (m *keyedMACs) Format(f fmt.State, verb rune) {
	io.WriteString(f, "jwt.keyedMACs"+m.key.String())
}

func (c *keyCache) Format(f fmt.State, verb rune) {
	c.mu.RLock()
	n := len(c.entries)
	c.mu.RUnlock()
	fmt.Fprintf(f, "jwt.keyCache{entries: %d}", n)
}
