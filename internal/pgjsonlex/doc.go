// Package pgjsonlex is PostgreSQL's json input grammar, written once: the
// lexer and parser behind the json type's input (json_in), and the
// de-escaping parse of jsonb input, ->> and json_to_recordset. It accepts
// and rejects exactly the texts the server does and gives the server's
// DETAIL line, byte for byte, for each refusal:
//
//	Token "tru" is invalid.
//	Expected JSON value, but found "}".
//	Expected end of input, but found "2".
//	Escape sequence "\x" is invalid.
//	"\u" must be followed by four hexadecimal digits.
//	Unicode low surrogate must follow a high surrogate.
//	\u0000 cannot be converted to text.
//
// The grammar is RFC 8259 with PostgreSQL's reading of bad input: white
// space is space, tab, newline and carriage return; any value may stand at
// the top; duplicate keys are allowed; letters, digits, '_' and every byte
// >= 0x80 run together into one token for the messages, so "01", "1.x" and
// "NaN" are each one invalid token.
//
// The json type checks escapes for their form only: its input keeps
// "\u0000" and a lone "\ud800" verbatim. They fail only when a string is
// de-escaped (Unescape), which jsonb input, ->>, json_to_recordset and the
// like do for every string of the text, nested ones included, in text
// order with the syntax errors. In a database whose encoding is not UTF8 a
// de-escaped \u escape must also name a character that encoding has (see
// Options.Encoding and Options.Major).
//
// Each caller keeps its own exported errors: Options.Errors names the
// sentinels (SQLSTATE 22P02 and 22P05) whose instances the parser returns,
// with the server's message and DETAIL. The server's CONTEXT line ("JSON
// data, line 1: ...") is not reproduced.
//
// Nesting is not limited. The parser keeps one bit per open container and
// never recurses, so hostile nesting costs no stack. The server's limit is
// its stack depth check (max_stack_depth, SQLSTATE 54001 "stack depth limit
// exceeded"): measured once by hand with the default 2 MB, PostgreSQL 15
// refuses json nested beyond 14,539 arrays or 13,774 levels of alternating
// objects and arrays, PostgreSQL 18 beyond 21,773 and 18,662 (jsonb: 14,538
// and 13,772; 16,328 on 18), a few levels fewer inside functions. The limit
// moves with the setting, the build and the calling context, so it is not
// imitated: texts that deep are valid json that only a server's stack
// refuses. The tests do not re-measure these depths; they check on every
// major that 5,000 levels pass and 100,000 fail there with 54001
// (jwt/pgjson's TestRawJSONDepthMatchesServer).
package pgjsonlex
