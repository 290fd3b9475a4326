package jwt

import (
	"fmt"
	"strconv"

	"github.com/pgjwt-go/pgjwt/internal/redact"
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
	return "{" + k.alg.String() + " " + redact.Bytes(len(k.secret)) + "}"
}

func (k cacheKey) Format(f fmt.State, verb rune) { redact.Write(f, verb, k.String()) }

func (m *keyedMACs) Format(f fmt.State, verb rune) {
	redact.Write(f, verb, "jwt.keyedMACs"+m.key.String())
}

func (c *keyCache) Format(f fmt.State, verb rune) {
	c.mu.RLock()
	n := len(c.entries)
	c.mu.RUnlock()
	redact.Write(f, verb, "jwt.keyCache{entries: "+strconv.Itoa(n)+"}")
}
