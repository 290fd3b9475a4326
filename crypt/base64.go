package crypt

// cryptAlphabet is the 64-character alphabet of crypt(3) outputs and salts
// (DES, extended DES, md5-crypt, sha-crypt, gen_salt). bcrypt uses its own
// ordering of the same characters (see bcrypt.go).
const cryptAlphabet = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// appendCrypt64 appends n characters encoding v, least significant six bits
// first: the "to64" order of md5-crypt, sha-crypt and gen_salt.
func appendCrypt64(dst []byte, v uint32, n int) []byte {
	for ; n > 0; n-- {
		dst = append(dst, cryptAlphabet[v&0x3f])
		v >>= 6
	}
	return dst
}
