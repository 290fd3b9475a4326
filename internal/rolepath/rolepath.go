// Package rolepath compiles and evaluates PostgREST's jwt-role-claim-key:
// the path that picks the database role out of a JWT's claims.
//
// A key that starts with "$" is an RFC 9535 JSONPath query, as in PostgREST
// v16; any other key is the older PostgREST DSL of v13/v14 (".role",
// `."https://x".role`, ".roles[0]", `.roles[?(@ ^== "x")]`), which v16.2
// still accepts with a deprecation warning. Only the first node the path
// selects is used (see [Path.First]); object members are visited in sorted
// order, as in PostgREST, whose JSON objects are ordered maps.
//
// Of RFC 9535 every segment and selector is supported (names, indexes,
// slices, wildcards, unions, descendants, filters with comparisons, !, &&,
// || and parentheses) and the functions length(), count(), value(), match()
// and search(), with the RFC's type rules; PostgREST itself implements only
// search(). The one thing left out: the pattern of match() and search() must
// be a string literal, and one that does not compile is refused here rather
// than never matching. Patterns are Go (RE2) syntax, a superset of the
// RFC's I-Regexp, with "." matching anything but \n and \r as in I-Regexp.
// Numbers compare by exact decimal value, as aeson's do. testdata/ holds the
// compliance vectors.
//
// Parse refuses what PostgREST refuses to start with, with PostgREST's
// message ("failed to parse role-claim-key value (KEY)") followed by where
// and why. The package is internal: the middleware is its one user.
package rolepath

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Path is a compiled jwt-role-claim-key. It is immutable and safe for
// concurrent use.
type Path struct {
	src   string
	segs  []segment
	names []string // set when every segment is a member name
}

// segment selects children of every node it is given, in document order.
type segment interface {
	apply(node any, root any, out []any) []any
}

// ErrInvalid is matched (errors.Is) by every error Parse returns.
var ErrInvalid = errors.New("invalid role-claim-key")

// parseError is PostgREST's start-up error for an unparsable key, with the
// reason this parser found.
type parseError struct{ key, why string }

func (e *parseError) Error() string {
	return fmt.Sprintf("failed to parse role-claim-key value (%s): %s", e.key, e.why)
}

func (e *parseError) Is(target error) bool { return target == ErrInvalid }

// Parse compiles a jwt-role-claim-key.
func Parse(key string) (*Path, error) {
	p := &pathParser{s: key}
	var segs []segment
	var err error
	if strings.HasPrefix(key, "$") {
		segs, err = p.jsonPath()
	} else {
		segs, err = p.legacy()
	}
	if err != nil {
		return nil, &parseError{key: key, why: err.Error()}
	}
	rp := &Path{src: key, segs: segs}
	names := make([]string, 0, len(segs))
	for _, sg := range segs {
		n, isName := sg.(nameSeg)
		if !isName {
			names = nil
			break
		}
		names = append(names, string(n))
	}
	if len(names) > 0 {
		rp.names = names
	}
	return rp, nil
}

// String returns the key as given to Parse.
func (rp *Path) String() string { return rp.src }

// First returns the first node the path selects in claims, a value as
// encoding/json decodes it with UseNumber (map[string]any, []any,
// json.Number, string, bool or nil), and whether there is one. A JSON null
// found at the path is found (nil, true).
func (rp *Path) First(claims map[string]any) (any, bool) {
	if rp.names != nil { // "$.role", "$.a.b": a plain walk, no node lists
		var cur any = claims
		for _, name := range rp.names {
			m, ok := cur.(map[string]any)
			if !ok {
				return nil, false
			}
			if cur, ok = m[name]; !ok {
				return nil, false
			}
		}
		return cur, true
	}
	nodes := []any{claims}
	for _, s := range rp.segs {
		var next []any
		for _, n := range nodes {
			next = s.apply(n, claims, next)
		}
		if len(next) == 0 {
			return nil, false
		}
		nodes = next
	}
	return nodes[0], true
}

// sortedKeys lists m's member names in code point order (bytewise for
// UTF-8), the order of PostgREST's ordered JSON objects.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// ---- selectors shared by both syntaxes ----

type nameSeg string

func (s nameSeg) apply(n, _ any, out []any) []any {
	if m, ok := n.(map[string]any); ok {
		if v, ok := m[string(s)]; ok {
			out = append(out, v)
		}
	}
	return out
}

type indexSeg int

func (s indexSeg) apply(n, _ any, out []any) []any {
	a, ok := n.([]any)
	if !ok {
		return out
	}
	i := int(s)
	if i < 0 {
		i += len(a)
	}
	if i >= 0 && i < len(a) {
		out = append(out, a[i])
	}
	return out
}

type wildcardSeg struct{}

func (wildcardSeg) apply(n, _ any, out []any) []any {
	switch v := n.(type) {
	case []any:
		out = append(out, v...)
	case map[string]any:
		// RFC 9535 leaves member order open; aeson's map is sorted.
		for _, k := range sortedKeys(v) {
			out = append(out, v[k])
		}
	}
	return out
}

// descendantSeg is "..sel": sel applied to the node and to every descendant,
// parents before children, object members in aeson's sorted order.
type descendantSeg struct{ sel segment }

func (d descendantSeg) apply(n, root any, out []any) []any {
	out = d.sel.apply(n, root, out)
	switch v := n.(type) {
	case []any:
		for _, c := range v {
			out = d.apply(c, root, out)
		}
	case map[string]any:
		for _, k := range sortedKeys(v) {
			out = d.apply(v[k], root, out)
		}
	}
	return out
}

// sliceSeg is RFC 9535 "[start:end:step]" on arrays.
type sliceSeg struct {
	start, end *int
	step       int
}

func (s sliceSeg) apply(n, _ any, out []any) []any {
	a, ok := n.([]any)
	if !ok || s.step == 0 {
		return out
	}
	l := len(a)
	norm := func(i int) int {
		if i < 0 {
			return l + i
		}
		return i
	}
	clamp := func(i, lo, hi int) int { return max(lo, min(i, hi)) }
	if s.step > 0 {
		lo, hi := 0, l
		if s.start != nil {
			lo = clamp(norm(*s.start), 0, l)
		}
		if s.end != nil {
			hi = clamp(norm(*s.end), 0, l)
		}
		for i := lo; i < hi; i += s.step {
			out = append(out, a[i])
			if s.step >= hi-i { // also keeps i += step from overflowing
				break
			}
		}
		return out
	}
	hi, lo := l-1, -1
	if s.start != nil {
		hi = clamp(norm(*s.start), -1, l-1)
	}
	if s.end != nil {
		lo = clamp(norm(*s.end), -1, l-1)
	}
	for i := hi; i > lo; i += s.step {
		out = append(out, a[i])
	}
	return out
}

// unionSeg is "[a, b, ...]": each selector in turn.
type unionSeg []segment

func (u unionSeg) apply(n, root any, out []any) []any {
	for _, s := range u {
		out = s.apply(n, root, out)
	}
	return out
}

// filterSeg is RFC 9535 "[?expr]": children of n for which expr holds.
type filterSeg struct{ expr filterExpr }

func (f filterSeg) apply(n, root any, out []any) []any {
	var kids []any
	kids = wildcardSeg{}.apply(n, root, kids)
	for _, c := range kids {
		if f.expr.test(c, root) {
			out = append(out, c)
		}
	}
	return out
}

// legacyFilterSeg is the old DSL's final "[?(@ OP "text")]": array elements
// that are strings and satisfy OP; other elements are skipped.
type legacyFilterSeg struct {
	op   string
	text string
}

func (f legacyFilterSeg) apply(n, _ any, out []any) []any {
	a, ok := n.([]any)
	if !ok {
		return out
	}
	for _, e := range a {
		s, ok := e.(string)
		if !ok {
			continue
		}
		var hit bool
		switch f.op {
		case "==":
			hit = s == f.text
		case "!=":
			hit = s != f.text
		case "^==":
			hit = strings.HasPrefix(s, f.text)
		case "==^":
			hit = strings.HasSuffix(s, f.text)
		case "*==":
			hit = strings.Contains(s, f.text)
		}
		if hit {
			out = append(out, e)
		}
	}
	return out
}

// ---- the parser ----

type pathParser struct {
	s   string
	pos int
}

func (p *pathParser) eof() bool { return p.pos >= len(p.s) }

func (p *pathParser) peek() byte {
	if p.eof() {
		return 0
	}
	return p.s[p.pos]
}

func (p *pathParser) accept(tok string) bool {
	if strings.HasPrefix(p.s[p.pos:], tok) {
		p.pos += len(tok)
		return true
	}
	return false
}

func (p *pathParser) skipBlank() {
	for !p.eof() && strings.IndexByte(" \t\n\r", p.peek()) >= 0 {
		p.pos++
	}
}

func (p *pathParser) errorf(format string, args ...any) error {
	return errorAt(p.pos, format, args...)
}

func errorAt(pos int, format string, args ...any) error {
	return fmt.Errorf("at offset %d: "+format, append([]any{pos}, args...)...)
}

// legacy parses the v13/v14 DSL: (.key | ."quoted" | [n])+ [?(@ OP "text")]?
func (p *pathParser) legacy() ([]segment, error) {
	var segs []segment
	for !p.eof() {
		switch {
		case p.accept(`."`):
			end := strings.IndexByte(p.s[p.pos:], '"')
			if end < 0 {
				return nil, p.errorf("unterminated quoted key")
			}
			segs = append(segs, nameSeg(p.s[p.pos:p.pos+end]))
			p.pos += end + 1
		case p.accept("."):
			start := p.pos
			for !p.eof() {
				r, n := utf8.DecodeRuneInString(p.s[p.pos:])
				if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '$' || r == '@') {
					break
				}
				p.pos += n
			}
			if p.pos == start {
				return nil, p.errorf("empty key")
			}
			segs = append(segs, nameSeg(p.s[start:p.pos]))
		case p.accept("[?("):
			p.skipBlank()
			if !p.accept("@") {
				return nil, p.errorf(`filter must compare "@"`)
			}
			p.skipBlank()
			op := ""
			for _, o := range []string{"^==", "==^", "*==", "==", "!="} {
				if p.accept(o) {
					op = o
					break
				}
			}
			if op == "" {
				return nil, p.errorf("unknown filter operator")
			}
			p.skipBlank()
			if !p.accept(`"`) {
				return nil, p.errorf("filter needs a quoted string")
			}
			end := strings.IndexByte(p.s[p.pos:], '"')
			if end < 0 {
				return nil, p.errorf("unterminated filter string")
			}
			text := p.s[p.pos : p.pos+end]
			p.pos += end + 1
			p.skipBlank()
			if !p.accept(")]") {
				return nil, p.errorf(`filter must end with ")]"`)
			}
			if !p.eof() {
				return nil, p.errorf("a filter must come last")
			}
			segs = append(segs, legacyFilterSeg{op: op, text: text})
		case p.accept("["):
			start := p.pos
			for !p.eof() && p.peek() >= '0' && p.peek() <= '9' {
				p.pos++
			}
			n, err := strconv.Atoi(p.s[start:p.pos])
			if err != nil || !p.accept("]") {
				return nil, p.errorf("bad index")
			}
			segs = append(segs, indexSeg(n))
		default:
			return nil, p.errorf("unexpected %q", p.peek())
		}
	}
	if len(segs) == 0 {
		return nil, p.errorf("empty path")
	}
	return segs, nil
}

// jsonPath parses an RFC 9535 query: child segments by name (dot or
// bracket, quoted with escapes), indexes (negative from the end), slices,
// wildcards, unions, descendant segments ("..", parents first, object
// members in sorted order) and filters with comparisons, existence tests,
// !, &&, ||, parentheses and the length()/count()/value()/match()/search()
// functions.
func (p *pathParser) jsonPath() ([]segment, error) {
	if !p.accept("$") {
		return nil, p.errorf(`must start with "$"`)
	}
	segs, err := p.segments()
	if err != nil {
		return nil, err
	}
	if !p.eof() {
		return nil, p.errorf("unexpected %q", p.peek())
	}
	return segs, nil
}

func (p *pathParser) segments() ([]segment, error) {
	var segs []segment
	for {
		save := p.pos
		p.skipBlank()
		switch {
		case p.accept(".."):
			var sel segment
			switch {
			case p.accept("*"):
				sel = wildcardSeg{}
			case p.peek() == '[':
				s, err := p.bracket()
				if err != nil {
					return nil, err
				}
				sel = s
			default:
				name, err := p.shorthandName()
				if err != nil {
					return nil, err
				}
				sel = nameSeg(name)
			}
			segs = append(segs, descendantSeg{sel})
		case p.accept(".*"):
			segs = append(segs, wildcardSeg{})
		case p.accept("."):
			name, err := p.shorthandName()
			if err != nil {
				return nil, err
			}
			segs = append(segs, nameSeg(name))
		case p.peek() == '[':
			s, err := p.bracket()
			if err != nil {
				return nil, err
			}
			segs = append(segs, s)
		default:
			p.pos = save
			return segs, nil
		}
	}
}

func (p *pathParser) shorthandName() (string, error) {
	start := p.pos
	for !p.eof() {
		r, n := utf8.DecodeRuneInString(p.s[p.pos:])
		first := p.pos == start
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_' || r >= 0x80 || (!first && r >= '0' && r <= '9')
		if !ok {
			break
		}
		p.pos += n
	}
	if p.pos == start {
		return "", p.errorf("member name expected")
	}
	return p.s[start:p.pos], nil
}

func (p *pathParser) bracket() (segment, error) {
	p.pos++ // '['
	var sels unionSeg
	for {
		p.skipBlank()
		s, err := p.selector()
		if err != nil {
			return nil, err
		}
		sels = append(sels, s)
		p.skipBlank()
		if p.accept("]") {
			break
		}
		if !p.accept(",") {
			return nil, p.errorf(`"," or "]" expected`)
		}
	}
	if len(sels) == 1 {
		return sels[0], nil
	}
	return sels, nil
}

func (p *pathParser) selector() (segment, error) {
	switch c := p.peek(); {
	case c == '\'' || c == '"':
		s, err := p.stringLiteral()
		return nameSeg(s), err
	case c == '*':
		p.pos++
		return wildcardSeg{}, nil
	case c == '?':
		p.pos++
		e, err := p.logicalOr()
		return filterSeg{e}, err
	case c == '-' || c >= '0' && c <= '9' || c == ':':
		var start *int
		if c != ':' {
			n, err := p.integer()
			if err != nil {
				return nil, err
			}
			p.skipBlank()
			if p.peek() != ':' {
				return indexSeg(n), nil
			}
			start = &n
		}
		return p.slice(start)
	}
	return nil, p.errorf("selector expected")
}

// slice reads the rest of "start:end:step" after start (nil when omitted).
func (p *pathParser) slice(start *int) (segment, error) {
	sl := sliceSeg{start: start, step: 1}
	optionalInt := func() (*int, error) {
		p.skipBlank()
		if c := p.peek(); c == '-' || c >= '0' && c <= '9' {
			n, err := p.integer()
			return &n, err
		}
		return nil, nil
	}
	p.pos++ // ':'
	var err error
	if sl.end, err = optionalInt(); err != nil {
		return nil, err
	}
	p.skipBlank()
	if p.accept(":") {
		step, err := optionalInt()
		if err != nil {
			return nil, err
		}
		if step != nil {
			sl.step = *step
		}
	}
	return sl, nil
}

// maxInt is the largest integer RFC 9535 allows in an index or slice
// (I-JSON's exact range, 2^53-1); its negation is the smallest.
const maxInt = 1<<53 - 1

// integer reads an RFC 9535 int: no leading zeros, no "-0", within ±maxInt.
func (p *pathParser) integer() (int, error) {
	start := p.pos
	p.accept("-")
	digits := p.pos
	for !p.eof() && p.peek() >= '0' && p.peek() <= '9' {
		p.pos++
	}
	txt := p.s[start:p.pos]
	if p.pos == digits || (p.s[digits] == '0' && (p.pos-digits > 1 || digits > start)) {
		return 0, p.errorf("bad integer %q", txt)
	}
	n, err := strconv.ParseInt(txt, 10, 64)
	if err != nil || n > maxInt || n < -maxInt {
		return 0, errorAt(start, "integer %s is out of range (-%d to %d)", txt, int64(maxInt), int64(maxInt))
	}
	// Where int is 32 bits, clamping selects the same: no array is longer.
	return int(min(max(n, math.MinInt), math.MaxInt)), nil
}

// stringLiteral reads an RFC 9535 single- or double-quoted string.
func (p *pathParser) stringLiteral() (string, error) {
	q := p.peek()
	p.pos++
	var b strings.Builder
	for {
		if p.eof() {
			return "", p.errorf("unterminated string")
		}
		c := p.s[p.pos]
		switch {
		case c == q:
			p.pos++
			return b.String(), nil
		case c < 0x20:
			return "", p.errorf("control character in string")
		case c == '\\':
			p.pos++
			if p.eof() {
				return "", p.errorf("unterminated escape")
			}
			e := p.s[p.pos]
			p.pos++
			switch e {
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case '/', '\\':
				b.WriteByte(e)
			case '\'', '"':
				if e != q {
					return "", p.errorf("needless escape of %q", e)
				}
				b.WriteByte(e)
			case 'u':
				r, err := p.unicodeEscape()
				if err != nil {
					return "", err
				}
				b.WriteRune(r)
			default:
				return "", p.errorf("bad escape \\%c", e)
			}
		default:
			b.WriteByte(c)
			p.pos++
		}
	}
}

// unicodeEscape reads the XXXX of "\\uXXXX" (p.pos is on it), and the low half
// "\\uXXXX" after a high surrogate: RFC 9535 takes surrogates only as a pair.
func (p *pathParser) unicodeEscape() (rune, error) {
	start := p.pos - 2 // the backslash
	r, ok := p.hex4()
	switch {
	case !ok:
		return 0, errorAt(start+2, "bad \\u escape")
	case utf16.IsSurrogate(r) && r >= 0xDC00:
		return 0, errorAt(start, "\\u%s is a low surrogate without a high one", p.s[start+2:start+6])
	case !utf16.IsSurrogate(r):
		return r, nil
	}
	if !p.accept(`\u`) {
		return 0, errorAt(start, "\\u%s is a high surrogate without a low one", p.s[start+2:start+6])
	}
	lo, ok := p.hex4()
	if !ok || lo < 0xDC00 || lo > 0xDFFF {
		return 0, errorAt(start, "\\u%s is a high surrogate without a low one", p.s[start+2:start+6])
	}
	return utf16.DecodeRune(r, lo), nil
}

// hex4 reads four hexadecimal digits, either case.
func (p *pathParser) hex4() (rune, bool) {
	if len(p.s)-p.pos < 4 {
		return 0, false
	}
	var r rune
	for _, c := range []byte(p.s[p.pos : p.pos+4]) {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(d)
	}
	p.pos += 4
	return r, true
}

// ---- filter expressions ----

type filterExpr interface {
	test(cur, root any) bool
}

type orExpr []filterExpr
type andExpr []filterExpr
type notExpr struct{ e filterExpr }

func (o orExpr) test(c, r any) bool {
	for _, e := range o {
		if e.test(c, r) {
			return true
		}
	}
	return false
}

func (a andExpr) test(c, r any) bool {
	for _, e := range a {
		if !e.test(c, r) {
			return false
		}
	}
	return true
}

func (n notExpr) test(c, r any) bool { return !n.e.test(c, r) }

// existsExpr is a bare query used as a test: true if it selects anything.
type existsExpr struct{ q *queryOperand }

func (e existsExpr) test(c, r any) bool { return len(e.q.nodes(c, r)) > 0 }

// compareExpr is "a OP b" between literals, singular queries and functions.
type compareExpr struct {
	op   string
	l, r operand
}

// operand yields one value, or nothing (ok == false).
type operand interface {
	value(cur, root any) (v any, ok bool)
}

type literal struct{ v any }

func (l literal) value(_, _ any) (any, bool) { return l.v, true }

type queryOperand struct {
	relative bool // @ rather than $
	segs     []segment
}

// singularOperand reports whether o yields at most one node by its form:
// anything but a query, or a query of names and indexes only (RFC 9535's
// singular query), the only queries that can be compared or passed where a
// value is expected.
func singularOperand(o operand) bool {
	q, isQuery := o.(*queryOperand)
	if !isQuery {
		return true
	}
	for _, s := range q.segs {
		switch s.(type) {
		case nameSeg, indexSeg:
		default:
			return false
		}
	}
	return true
}

func (q *queryOperand) nodes(cur, root any) []any {
	start := root
	if q.relative {
		start = cur
	}
	nodes := []any{start}
	for _, s := range q.segs {
		var next []any
		for _, n := range nodes {
			next = s.apply(n, root, next)
		}
		nodes = next
	}
	return nodes
}

func (q *queryOperand) value(cur, root any) (any, bool) {
	n := q.nodes(cur, root)
	if len(n) != 1 {
		return nil, false
	}
	return n[0], true
}

// funcOperand is length(), count() or value(); match() and search() are
// tests (funcTest).
type funcOperand struct {
	name string
	arg  *queryOperand
	lit  operand
}

func (f funcOperand) value(cur, root any) (any, bool) {
	switch f.name {
	case "count":
		return json.Number(strconv.Itoa(len(f.arg.nodes(cur, root)))), true
	case "value":
		return f.arg.value(cur, root)
	}
	var v any
	var ok bool
	if f.arg != nil {
		v, ok = f.arg.value(cur, root)
	} else {
		v, ok = f.lit.value(cur, root)
	}
	if !ok {
		return nil, false
	}
	switch x := v.(type) {
	case string:
		return json.Number(strconv.Itoa(utf8.RuneCountInString(x))), true
	case []any:
		return json.Number(strconv.Itoa(len(x))), true
	case map[string]any:
		return json.Number(strconv.Itoa(len(x))), true
	}
	return nil, false
}

// funcTest is match() or search(): re is anchored for match().
type funcTest struct {
	arg operand
	re  *regexp.Regexp
}

// compilePattern compiles a match() (whole string) or search() pattern. The
// syntax is Go's (RE2), a superset of RFC 9535's I-Regexp; "." outside
// classes becomes [^\n\r], I-Regexp's dot, as RFC 9485 (section 5.3) maps it
// for such engines (Go's dot matches \r).
func compilePattern(pat string, whole bool) (*regexp.Regexp, error) {
	wrap := func(p string) string {
		if whole {
			return `\A(?:` + p + `)\z`
		}
		return p
	}
	if _, err := regexp.Compile(wrap(pat)); err != nil {
		return nil, err // the message quotes the pattern as written
	}
	return regexp.Compile(wrap(iregexpDots(pat)))
}

// iregexpDots replaces each "." that is a regular expression's any-character
// (not escaped, not in a class, not in \Q...\E) with [^\n\r].
func iregexpDots(pat string) string {
	var b strings.Builder
	inClass := false
	for i := 0; i < len(pat); i++ {
		c := pat[i]
		switch {
		case c == '\\' && i+1 < len(pat):
			if !inClass && pat[i+1] == 'Q' { // literal text up to \E
				end := strings.Index(pat[i+2:], `\E`)
				if end < 0 {
					b.WriteString(pat[i:])
					return b.String()
				}
				b.WriteString(pat[i : i+2+end+2])
				i += 2 + end + 1
				continue
			}
			b.WriteString(pat[i : i+2])
			i++
		case inClass:
			if c == '[' && strings.HasPrefix(pat[i:], "[:") { // [:alpha:]
				if end := strings.Index(pat[i+2:], ":]"); end >= 0 {
					b.WriteString(pat[i : i+2+end+2])
					i += 2 + end + 1
					continue
				}
			}
			inClass = c != ']'
			b.WriteByte(c)
		case c == '[':
			inClass = true
			j := i + 1 // "]" first in a class (after any "^") is literal
			if j < len(pat) && pat[j] == '^' {
				j++
			}
			if j < len(pat) && pat[j] == ']' {
				j++
			}
			b.WriteString(pat[i:j])
			i = j - 1
		case c == '.':
			b.WriteString(`[^\n\r]`)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func (f funcTest) test(c, r any) bool {
	v, ok := f.arg.value(c, r)
	s, isStr := v.(string)
	return ok && isStr && f.re.MatchString(s)
}

func (e compareExpr) test(c, r any) bool {
	lv, lok := e.l.value(c, r)
	rv, rok := e.r.value(c, r)
	switch e.op {
	case "==":
		return equalValues(lv, lok, rv, rok)
	case "!=":
		return !equalValues(lv, lok, rv, rok)
	case "<":
		return lessValues(lv, lok, rv, rok)
	case ">":
		return lessValues(rv, rok, lv, lok)
	case "<=":
		return lessValues(lv, lok, rv, rok) || equalValues(lv, lok, rv, rok)
	case ">=":
		return lessValues(rv, rok, lv, lok) || equalValues(lv, lok, rv, rok)
	}
	return false
}

func equalValues(a any, aok bool, b any, bok bool) bool {
	if !aok || !bok {
		return aok == bok // Nothing == Nothing
	}
	switch x := a.(type) {
	case json.Number:
		y, ok := b.(json.Number)
		return ok && compareNumbers(x, y) == 0
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalValues(x[i], true, y[i], true) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !equalValues(v, true, w, true) {
				return false
			}
		}
		return true
	}
	return a == b
}

func lessValues(a any, aok bool, b any, bok bool) bool {
	if !aok || !bok {
		return false
	}
	switch x := a.(type) {
	case json.Number:
		y, ok := b.(json.Number)
		return ok && compareNumbers(x, y) < 0
	case string:
		y, ok := b.(string)
		return ok && x < y // UTF-8 byte order is code point order
	}
	return false
}

// compareNumbers orders two JSON number texts by exact value, as aeson's
// Scientific numbers are compared in PostgREST (float64 would equate
// 9007199254740993 with 9007199254740992, 1e400 with 1e401, 1e-400 with 0).
func compareNumbers(a, b json.Number) int {
	x, y := parseDecimal(string(a)), parseDecimal(string(b))
	switch {
	case x.neg != y.neg:
		if x.digits == "" && y.digits == "" { // 0 and -0
			return 0
		}
		if x.neg {
			return -1
		}
		return 1
	case x.neg:
		return -compareMagnitudes(x, y)
	}
	return compareMagnitudes(x, y)
}

// decimal is a JSON number as 0.digits × 10^exp: digits has no leading or
// trailing zeros and is empty for zero.
type decimal struct {
	neg    bool
	digits string
	exp    int64
}

// parseDecimal reads a valid JSON number text. Exponents beyond ±2^62
// saturate: no document or literal reaches them meaningfully.
func parseDecimal(s string) decimal {
	var d decimal
	if strings.HasPrefix(s, "-") {
		d.neg, s = true, s[1:]
	}
	mant, expText := s, ""
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mant, expText = s[:i], s[i+1:]
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	digits := intPart + frac
	point := int64(len(intPart))
	trimmed := strings.TrimLeft(digits, "0")
	point -= int64(len(digits) - len(trimmed))
	d.digits = strings.TrimRight(trimmed, "0")
	if d.digits == "" {
		return d
	}
	const limit = 1 << 62
	e, err := strconv.ParseInt(strings.TrimPrefix(expText, "+"), 10, 64)
	if err != nil && expText != "" { // out of int64: saturate
		e = limit
		if strings.HasPrefix(expText, "-") {
			e = -limit
		}
	}
	d.exp = point + min(max(e, -limit), limit) // |point| < 2^31: no overflow
	return d
}

// compareMagnitudes orders |x| and |y|.
func compareMagnitudes(x, y decimal) int {
	switch {
	case x.digits == "" || y.digits == "":
		return cmpInt(len(x.digits), len(y.digits)) // zero is the smallest
	case x.exp != y.exp:
		return cmpInt(x.exp, y.exp)
	}
	return strings.Compare(x.digits, y.digits) // same scale: digit by digit
}

func cmpInt[T int | int64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (p *pathParser) logicalOr() (filterExpr, error) {
	var terms orExpr
	for {
		t, err := p.logicalAnd()
		if err != nil {
			return nil, err
		}
		terms = append(terms, t)
		p.skipBlank()
		if !p.accept("||") {
			break
		}
	}
	if len(terms) == 1 {
		return terms[0], nil
	}
	return terms, nil
}

func (p *pathParser) logicalAnd() (filterExpr, error) {
	var terms andExpr
	for {
		t, err := p.basicExpr()
		if err != nil {
			return nil, err
		}
		terms = append(terms, t)
		p.skipBlank()
		if !p.accept("&&") {
			break
		}
	}
	if len(terms) == 1 {
		return terms[0], nil
	}
	return terms, nil
}

func (p *pathParser) basicExpr() (filterExpr, error) {
	p.skipBlank()
	if p.accept("!") {
		p.skipBlank()
		if p.peek() == '(' {
			p.pos++
			e, err := p.parenTail()
			return notExpr{e}, err
		}
		e, err := p.testOnly()
		return notExpr{e}, err
	}
	if p.peek() == '(' {
		p.pos++
		return p.parenTail()
	}
	lstart := p.pos
	left, test, err := p.operandOrTest()
	if err != nil {
		return nil, err
	}
	p.skipBlank()
	for _, op := range []string{"==", "!=", "<=", ">=", "<", ">"} {
		if p.accept(op) {
			p.skipBlank()
			rstart := p.pos
			right, _, err := p.operandOrTest() // a test is no operand: right is nil
			if err != nil {
				return nil, err
			}
			if left == nil || right == nil {
				return nil, p.errorf("%s needs comparable operands", op)
			}
			if !singularOperand(left) {
				return nil, errorAt(lstart, "%s compares single values: a query here takes names and indexes only", op)
			}
			if !singularOperand(right) {
				return nil, errorAt(rstart, "%s compares single values: a query here takes names and indexes only", op)
			}
			return compareExpr{op: op, l: left, r: right}, nil
		}
	}
	if test == nil {
		return nil, p.errorf("a literal is not a test")
	}
	return test, nil
}

func (p *pathParser) parenTail() (filterExpr, error) {
	e, err := p.logicalOr()
	if err != nil {
		return nil, err
	}
	p.skipBlank()
	if !p.accept(")") {
		return nil, p.errorf(`")" expected`)
	}
	return e, nil
}

func (p *pathParser) testOnly() (filterExpr, error) {
	_, test, err := p.operandOrTest()
	if err == nil && test == nil {
		err = p.errorf("a test expected after !")
	}
	return test, err
}

// operandOrTest reads a literal, a query or a function call. A query can act
// both as an operand (if singular) and as an existence test.
func (p *pathParser) operandOrTest() (operand, filterExpr, error) {
	switch c := p.peek(); {
	case c == '@' || c == '$':
		p.pos++
		segs, err := p.segments()
		if err != nil {
			return nil, nil, err
		}
		q := &queryOperand{relative: c == '@', segs: segs}
		return q, existsExpr{q}, nil
	case c == '\'' || c == '"':
		s, err := p.stringLiteral()
		return literal{s}, nil, err
	case c == '-' || c >= '0' && c <= '9':
		start := p.pos
		for !p.eof() && strings.IndexByte("+-.eE0123456789", p.peek()) >= 0 {
			p.pos++
		}
		var n json.Number
		if json.Unmarshal([]byte(p.s[start:p.pos]), &n) != nil {
			return nil, nil, p.errorf("bad number")
		}
		return literal{n}, nil, nil
	case p.accept("true"):
		return literal{true}, nil, nil
	case p.accept("false"):
		return literal{false}, nil, nil
	case p.accept("null"):
		return literal{nil}, nil, nil
	}
	for _, fn := range []string{"length", "count", "value", "match", "search"} {
		if !p.accept(fn + "(") {
			continue
		}
		p.skipBlank()
		argStart := p.pos
		arg, _, err := p.operandOrTest()
		if err != nil {
			return nil, nil, err
		}
		if arg == nil { // a match() or search() test, which has no value
			if fn == "count" || fn == "value" {
				return nil, nil, p.errorf("%s() takes a query", fn)
			}
			return nil, nil, p.errorf("%s() takes a value, not a test", fn)
		}
		if fn != "count" && fn != "value" && !singularOperand(arg) {
			return nil, nil, errorAt(argStart, "%s() takes a single value: a query here takes names and indexes only", fn)
		}
		p.skipBlank()
		switch fn {
		case "match", "search":
			if !p.accept(",") {
				return nil, nil, p.errorf("%s() takes two arguments", fn)
			}
			p.skipBlank()
			if c := p.peek(); c != '\'' && c != '"' {
				return nil, nil, p.errorf("%s() needs a literal pattern", fn)
			}
			pat, err := p.stringLiteral()
			if err != nil {
				return nil, nil, err
			}
			re, err := compilePattern(pat, fn == "match")
			if err != nil {
				return nil, nil, p.errorf("bad pattern: %v", err)
			}
			p.skipBlank()
			if !p.accept(")") {
				return nil, nil, p.errorf(`")" expected`)
			}
			return nil, funcTest{arg: arg, re: re}, nil
		}
		if !p.accept(")") {
			return nil, nil, p.errorf(`")" expected`)
		}
		q, isQuery := arg.(*queryOperand)
		if (fn == "count" || fn == "value") && !isQuery {
			return nil, nil, p.errorf("%s() takes a query", fn)
		}
		if fn == "length" && !isQuery {
			return funcOperand{name: fn, lit: arg}, nil, nil
		}
		return funcOperand{name: fn, arg: q}, nil, nil
	}
	return nil, nil, p.errorf("operand expected")
}
