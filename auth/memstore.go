package auth

import (
	"context"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/pgjwt-go/pgjwt/crypt"
)

// MemStore is a Store in memory that enforces the rules of basic_auth.users
// itself, with the same errors PostgreSQL gives (a UTF8 database): the email
// check as PostgreSQL's regular expression judges it, length() in
// characters, roles truncated to a name and checked against a fixed role
// set, bcrypt hashes from crypt.GenSalt("bf") on insert and on a changed
// password only. It suits tests, examples and single-process services; it
// keeps nothing across restarts.
//
// Like PGStore, it refuses emails of more than MaxEmailLength characters
// (ErrEmailTooLong), and a check violation carries no DETAIL (PostgreSQL's
// "Failing row contains (…)" would repeat the password hash into logs and
// error bodies; PGStore removes it). The difference that remains: the role
// set does not change while the store lives, where pg_roles can.
//
// New hashes are bcrypt of cost 6 unless SetHashPolicy says otherwise.
type MemStore struct {
	crypt crypt.Version
	roles map[string]bool

	mu     sync.RWMutex
	policy HashPolicy
	// users holds pointers so that fmt, reflecting on a MemStore inside a
	// caller's struct, prints addresses, not hashes (see redact.go). A
	// stored *User is never modified, only replaced.
	users map[string]*User
}

// NewMemStore returns an empty store whose users may have the given roles,
// as if those were the database's roles.
func NewMemStore(roles ...string) *MemStore {
	m := &MemStore{crypt: crypt.ForVersion(crypt.MaxMajor), roles: map[string]bool{}, users: map[string]*User{},
		policy: DefaultHashPolicy}
	for _, r := range roles {
		// CREATE ROLE truncates long names the same way.
		m.roles[clipName(r)] = true
	}
	return m
}

func (m *MemStore) cryptVersion() crypt.Version { return m.crypt }

// CreateUser inserts a user, in PostgreSQL's order of checks: parameter
// encoding (email, pass, role), the email's length (as a varchar column's
// would be), the hashing trigger, the check constraints, the primary key,
// then the role-exists constraint trigger.
func (m *MemStore) CreateUser(ctx context.Context, email, pass, role string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, s := range []string{email, pass, role} {
		if err := checkClientText(s); err != nil {
			return err
		}
	}
	if err := checkEmailLength(email, false); err != nil {
		return err
	}
	row := User{Email: email, Role: clipName(role)}
	var err error
	if row.Hash, err = m.hash(pass); err != nil {
		return err
	}
	if err := checkUserRow(row); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, taken := m.users[email]; taken {
		return duplicateEmail(email)
	}
	if !m.roles[row.Role] {
		return unknownRole(row.Role)
	}
	m.users[email] = &row
	return nil
}

// SetPassword changes a user's password. As the trigger compares the new
// text with the stored hash, setting the password to the hash itself keeps
// the hash (and so the old password).
func (m *MemStore) SetPassword(ctx context.Context, email, pass string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, s := range []string{email, pass} {
		if err := checkClientText(s); err != nil {
			return err
		}
	}
	m.mu.RLock()
	stored, ok := m.users[email]
	m.mu.RUnlock()
	if !ok {
		return ErrUserNotFound
	}
	row := *stored
	// Bug-compatible with the seed's trigger: "new.pass <> old.pass".
	if pass != row.Hash {
		var err error
		if row.Hash, err = m.hash(pass); err != nil {
			return err
		}
	}
	if err := checkUserRow(row); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	cur, ok := m.users[email]
	if !ok {
		return ErrUserNotFound
	}
	if !m.roles[cur.Role] {
		return unknownRole(cur.Role)
	}
	updated := *cur
	updated.Hash = row.Hash
	m.users[email] = &updated
	return nil
}

// DeleteUser removes a user.
func (m *MemStore) DeleteUser(ctx context.Context, email string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkClientText(email); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.users[email]; !ok {
		return ErrUserNotFound
	}
	delete(m.users, email)
	return nil
}

// LookupUser returns the user with this email.
func (m *MemStore) LookupUser(ctx context.Context, email string) (User, error) {
	if err := ctx.Err(); err != nil {
		return User{}, err
	}
	if err := checkClientText(email); err != nil {
		return User{}, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	u, ok := m.users[email]
	if !ok {
		return User{}, ErrUserNotFound
	}
	return *u, nil
}

// hash is the trigger's crypt(pass, gen_salt('bf')), or the policy's.
func (m *MemStore) hash(pass string) (string, error) {
	m.mu.RLock()
	p := m.policy
	m.mu.RUnlock()
	return p.hash(m.crypt, pass)
}

// SetHashPolicy makes the store hash new and changed passwords at p (the
// default is DefaultHashPolicy, the seed trigger's): what changing the
// trigger is for PGStore. Stored hashes stay as they are; a Service with
// the same WithHashPolicy upgrades them at their users' next login.
func (m *MemStore) SetHashPolicy(p HashPolicy) error {
	p = p.normalize()
	if err := p.check(m.crypt); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.policy = p
	return nil
}

// RehashPassword implements Rehasher: it hashes pass at the store's policy
// and stores it only if the user's hash is still oldHash.
func (m *MemStore) RehashPassword(ctx context.Context, email, oldHash, pass string) (string, bool, error) {
	if err := ctx.Err(); err != nil {
		return "", false, err
	}
	for _, s := range []string{email, pass} {
		if err := checkClientText(s); err != nil {
			return "", false, err
		}
	}
	newHash, err := m.hash(pass)
	if err != nil {
		return "", false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	cur, ok := m.users[email]
	if !ok || cur.Hash != oldHash {
		return "", false, nil
	}
	updated := *cur
	updated.Hash = newHash
	if err := checkUserRow(updated); err != nil {
		return "", false, err
	}
	m.users[email] = &updated
	return newHash, true, nil
}

// checkUserRow applies the table's check constraints to the row as stored
// (after hashing and truncation), in the order PostgreSQL evaluates them:
// by constraint name.
func checkUserRow(u User) error {
	switch {
	case !emailMatches(u.Email):
		return checkViolation("users_email_check")
	case utf8.RuneCountInString(u.Hash) >= 512:
		return checkViolation("users_pass_check")
	case utf8.RuneCountInString(u.Role) >= 512:
		return checkViolation("users_role_check")
	}
	return nil
}

// emailMatches is `email ~* '^.+@.+\..+$'` as PostgreSQL judges it: in its
// advanced regular expressions "." matches any character, newline included,
// and ^ and $ anchor at the ends of the string only (no newline-sensitive
// mode); case-insensitivity cannot matter, the pattern has no letters. So:
// an '@' with at least one character before it, then at least one character,
// a '.', and at least one character after it. Counting bytes is counting
// characters here, as every character has at least one byte and neither '@'
// nor '.' occurs inside a multibyte UTF-8 character.
func emailMatches(s string) bool {
	if len(s) < 2 {
		return false
	}
	at := strings.IndexByte(s[1:], '@')
	if at < 0 {
		return false
	}
	at++
	dot := strings.LastIndexByte(s[:len(s)-1], '.')
	return dot >= at+2
}
