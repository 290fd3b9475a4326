// Package pgtext reproduces what PostgreSQL does with text a client sends,
// so that Go code can reject and convert exactly the values the server
// would, with the server's own messages.
//
// PostgreSQL handles a client's text in two steps:
//
//  1. Verify it in the client encoding. A UTF8 client's text must be
//     well-formed UTF-8 (no overlong forms, no surrogates U+D800–U+DFFF,
//     nothing above U+10FFFF), and no encoding allows a NUL byte. The first
//     offending sequence fails with SQLSTATE 22021 and
//
//     invalid byte sequence for encoding "UTF8": 0xe2 0x28 0xa1
//
//     which lists as many bytes as the lead byte announces (see LeadLen),
//     cut at the end of the text: not just the bytes that are wrong.
//
//  2. Convert it to the server encoding. A character the server encoding
//     lacks fails with SQLSTATE 22P05 and
//
//     character with byte sequence 0xe2 0x82 0xac in encoding "UTF8" has no equivalent in encoding "LATIN1"
//
// InvalidUTF8 and CheckUTF8 do step 1 for UTF8 (CheckNoNUL for any
// encoding), UTF8ToLatin1 step 2 for a LATIN1 database, and Latin1ToUTF8 the
// way back, which always succeeds. Messages are PostgreSQL's byte for byte;
// the SQLSTATE and the error's Op come from the caller's sentinel, so each
// package keeps its own errors.
package pgtext
