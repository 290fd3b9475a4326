package pgjson

import "time"

// Supported PostgreSQL majors. ForVersion maps anything below MinMajor to
// MinMajor and anything above MaxMajor to MaxMajor.
const (
	MinMajor = 13
	MaxMajor = 18
)

// Version is this package's functions as one PostgreSQL major behaves; make
// one with ForVersion. The zero value behaves like PostgreSQL 18, as the
// package-level functions do. A Version is a plain value, safe for
// concurrent use. The majors differ in:
//
//   - Numeric text: 13 refuses the infinities ('Infinity', '-inf', … 22P02),
//     14+ accept them; 16+ also accept underscores between digits ('1_000')
//     and the 0x/0o/0b integer prefixes ('0x1F'), which 13–15 refuse (22P02).
//   - EpochSeconds: 13 rounds a half second to even, 14+ away from zero.
type Version struct {
	major int
}

// ForVersion returns the package as PostgreSQL major behaves. Majors below
// 13 behave as 13, above 18 as 18.
func ForVersion(major int) Version {
	return Version{major: min(max(major, MinMajor), MaxMajor)}
}

// Major returns the PostgreSQL major this Version behaves like.
func (v Version) Major() int {
	if v.major == 0 {
		return MaxMajor
	}
	return v.major
}

// RowToJSON is RowToJSON on this major.
func (v Version) RowToJSON(o Object) ([]byte, error) {
	return orNil(v.AppendRowToJSON(make([]byte, 0, estimate(o)), o))
}

// AppendRowToJSON is AppendRowToJSON on this major.
func (v Version) AppendRowToJSON(dst []byte, o Object) ([]byte, error) {
	return appendTop(dst, encoder{p: rowToJSON, major: v.Major()}, o)
}

// BuildObject is BuildObject on this major.
func (v Version) BuildObject(o Object) ([]byte, error) {
	return orNil(v.AppendBuildObject(make([]byte, 0, estimate(o)+2*len(o)), o))
}

// AppendBuildObject is AppendBuildObject on this major.
func (v Version) AppendBuildObject(dst []byte, o Object) ([]byte, error) {
	return appendTop(dst, encoder{p: buildObject, major: v.Major()}, o)
}

// ToJSON is ToJSON on this major.
func (v Version) ToJSON(x any) ([]byte, error) {
	out, err := encoder{p: rowToJSON, major: v.Major()}.appendValue(nil, x, 0)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// JSONB is JSONB on this major.
func (v Version) JSONB(o Object) ([]byte, error) {
	return orNil(v.AppendJSONB(make([]byte, 0, estimate(o)+2*len(o)), o))
}

// AppendJSONB is AppendJSONB on this major.
func (v Version) AppendJSONB(dst []byte, o Object) ([]byte, error) {
	jb, err := v.objectToJSONB(o, 0)
	if err != nil {
		return dst, err
	}
	return appendJB(dst, jb), nil
}

// ToJSONB is ToJSONB on this major.
func (v Version) ToJSONB(x any) ([]byte, error) {
	jb, err := v.toJSONB(x, 0)
	if err != nil {
		return nil, err
	}
	return appendJB(nil, jb), nil
}

// EpochSeconds is `extract(epoch from t)::integer` on this major (see the
// package-level EpochSeconds for 14+). On 13 extract returns float8, whose
// cast to integer rounds half to even (12.5 → 12, 13.5 → 14, -12.5 → -12),
// so 1901-12-13T20:45:51.5Z still gives -2147483648 there.
func (v Version) EpochSeconds(t time.Time) (int64, error) {
	return epochSeconds(v.Major(), t)
}
