package pgjson

import (
	"github.com/pgjwt-go/pgjwt/internal/pgjsonlex"
	"github.com/pgjwt-go/pgjwt/internal/pgtext"
)

// A json.RawMessage is read by PostgreSQL's json grammar
// (internal/pgjsonlex), with this package's errors.
var jsonErrors = pgjsonlex.Errors{Syntax: ErrInvalidJSON, Escape: ErrUnicodeEscape}

// validateJSON checks raw as json input does in a UTF8 database: text, then
// syntax; escapes are kept verbatim, any nesting is fine.
func validateJSON(raw []byte) error {
	if err := pgtext.CheckUTF8(raw, ErrInvalidEncoding); err != nil {
		return err
	}
	return pgjsonlex.Validate(raw, pgjsonlex.Options{Errors: jsonErrors})
}

// parseJSONB reads raw as jsonb input does in a UTF8 database of ver's
// major: strings are de-escaped (\u0000 and unpaired surrogates fail where
// they stand, with that major's message) and numbers become numeric, in the
// server's order of events. The tree is built without recursion, so any
// nesting is fine.
func (ver Version) parseJSONB(raw []byte) (jbValue, error) {
	if err := pgtext.CheckUTF8(raw, ErrInvalidEncoding); err != nil {
		return jbValue{}, err
	}
	p := pgjsonlex.NewParser(raw, pgjsonlex.Options{Mode: pgjsonlex.Unescape, Errors: jsonErrors, Major: ver.Major()})
	var (
		open []jbValue // the containers being filled, innermost last
		keys []string  // per open object, the key of the member being read
		root jbValue
	)
	add := func(v jbValue) {
		if len(open) == 0 {
			root = v
			return
		}
		c := &open[len(open)-1]
		if c.kind == jbObject {
			c.pairs = append(c.pairs, jbPair{key: keys[len(keys)-1], val: v})
		} else {
			c.items = append(c.items, v)
		}
	}
	for {
		ev, err := p.Next()
		if err != nil {
			return jbValue{}, err
		}
		switch ev {
		case pgjsonlex.Done:
			return root, nil
		case pgjsonlex.BeginObject:
			open = append(open, jbValue{kind: jbObject})
			keys = append(keys, "")
		case pgjsonlex.BeginArray:
			open = append(open, jbValue{kind: jbArray})
		case pgjsonlex.Key:
			keys[len(keys)-1] = string(p.AppendText(nil))
		case pgjsonlex.EndObject, pgjsonlex.EndArray:
			v := open[len(open)-1]
			open = open[:len(open)-1]
			if v.kind == jbObject {
				keys = keys[:len(keys)-1]
				v.pairs = normaliseObject(v.pairs)
			}
			add(v)
		case pgjsonlex.Scalar:
			var v jbValue
			switch p.Kind() {
			case pgjsonlex.String:
				v = jbValue{kind: jbString, text: string(p.AppendText(nil))}
			case pgjsonlex.Number:
				out, _, err := appendNumeric(nil, string(p.Token()), MaxMajor)
				if err != nil {
					return jbValue{}, err
				}
				v = jbValue{kind: jbNumber, text: string(out)}
			case pgjsonlex.True, pgjsonlex.False:
				v = jbValue{kind: jbBool, text: string(p.Token())}
			default:
				v = jbValue{kind: jbNull}
			}
			add(v)
		}
	}
}
