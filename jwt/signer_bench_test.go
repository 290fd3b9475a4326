package jwt

import (
	"errors"
	"testing"
)

// The pre-keyed Signer against the HMAC floor (the keyed HMAC of the same
// signing input) and against Sign/VerifyAt, alternated in one run (ratio).

var benchSigner = func() *Signer {
	s, err := NewSigner(benchSecret, "HS256")
	if err != nil {
		panic(err)
	}
	return s
}()

func signerSign() error {
	_, err := benchSigner.Sign(benchPayloadJSON)
	return err
}

func signerVerify() error {
	res, err := benchSigner.VerifyAt(benchToken, benchAt)
	if err == nil && res.Valid != Valid {
		return errors.New("not valid")
	}
	return err
}

// BenchmarkPrekeyedSign reports x-hmac-floor (target: at most 1.25) and
// x-sign, its time over Sign's.
func BenchmarkPrekeyedSign(b *testing.B) {
	loop(b, signerSign)
	b.StopTimer()
	b.ReportMetric(ratio(signerSign, hmacFloor), "x-hmac-floor")
	b.ReportMetric(ratio(signerSign, jwtSign), "x-sign")
}

// BenchmarkPrekeyedVerify reports x-hmac-floor (target: at most 1.6) and
// x-verify, its time over VerifyAt's.
func BenchmarkPrekeyedVerify(b *testing.B) {
	loop(b, signerVerify)
	b.StopTimer()
	b.ReportMetric(ratio(signerVerify, hmacFloor), "x-hmac-floor")
	b.ReportMetric(ratio(signerVerify, jwtVerify), "x-verify")
}

// BenchmarkPrekeyedFloor is the HMAC floor itself, for the table.
func BenchmarkPrekeyedFloor(b *testing.B) { loop(b, hmacFloor) }
