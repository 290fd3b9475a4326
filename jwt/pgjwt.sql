-- pgjwt 0.2.0's six functions, restated in the pgjwt-go project's own words
-- (behaviour from the project's specification, not pgjwt's file). Installed
-- by jwt.CompatSQL, which fills in the target schema and the schema holding
-- pgcrypto's hmac(text, text, text), both quoted as identifiers or literals,
-- and gives the bodies a dollar-quote delimiter that neither name holds.
-- Comments name no placeholder (a name could end the comment). Every
-- statement is CREATE OR REPLACE: running it twice is harmless.
--
-- Deliberately the same as pgjwt: IMMUTABLE SQL functions (so the planner
-- inlines verify() and skips the columns a query does not read), no STRICT,
-- no pinned search_path, verify() reading the transaction time although it
-- is declared IMMUTABLE. One deliberate difference: the token is split on
-- the pattern '[.]', which means a literal dot whatever
-- standard_conforming_strings says (pgjwt's '\.' turns into "any character"
-- when that setting is off, and then every token fails).

-- PostgreSQL cuts a name longer than 63 bytes with only a NOTICE. CompatSQL
-- refuses names over 63 bytes of UTF-8; this refuses, before anything is
-- created, those that are longer only in the database encoding.
DO $pgjwt_go$
DECLARE
    n text;
BEGIN
    FOREACH n IN ARRAY ARRAY[@schema_lit@, @pgcrypto_lit@] LOOP
        IF pg_catalog.octet_length(n) > 63 THEN
            RAISE EXCEPTION 'schema name % is % bytes long in the database encoding; PostgreSQL would truncate it to 63',
                pg_catalog.quote_ident(n), pg_catalog.octet_length(n)
                USING ERRCODE = 'name_too_long';
        END IF;
    END LOOP;
END
$pgjwt_go$;

-- url_encode: base64 without padding or line breaks, in the URL alphabet.
CREATE OR REPLACE FUNCTION @schema@.url_encode(data bytea) RETURNS text
LANGUAGE sql IMMUTABLE AS $pgjwt_go$
    SELECT pg_catalog.translate(pg_catalog.encode(data, 'base64'), E'+/=\n', '-_')
$pgjwt_go$;

-- url_decode: back to the standard alphabet, pad with "=" to a multiple of
-- four characters, then PostgreSQL's own (lenient) base64 decoder.
CREATE OR REPLACE FUNCTION @schema@.url_decode(data text) RETURNS bytea
LANGUAGE sql IMMUTABLE AS $pgjwt_go$
    SELECT pg_catalog.decode(
               std || pg_catalog.repeat('=', (4 - pg_catalog.length(std) % 4) % 4),
               'base64')
    FROM pg_catalog.translate(data, '-_', '+/') AS std
$pgjwt_go$;

-- algorithm_sign: HMAC of the signing input, base64url. Only the exact names
-- HS256/HS384/HS512 choose a digest; any other name (NULL too) becomes '',
-- which pgcrypto rejects - unless hmac() is skipped for a NULL argument.
CREATE OR REPLACE FUNCTION @schema@.algorithm_sign(signables text, secret text, algorithm text) RETURNS text
LANGUAGE sql IMMUTABLE AS $pgjwt_go$
    SELECT @schema@.url_encode(@pgcrypto@.hmac(signables, secret,
               CASE algorithm
                   WHEN 'HS256' THEN 'sha256'
                   WHEN 'HS384' THEN 'sha384'
                   WHEN 'HS512' THEN 'sha512'
                   ELSE ''
               END))
$pgjwt_go$;

-- sign: fixed header text, the payload's json text verbatim, both as UTF-8.
CREATE OR REPLACE FUNCTION @schema@.sign(payload json, secret text, algorithm text DEFAULT 'HS256') RETURNS text
LANGUAGE sql IMMUTABLE AS $pgjwt_go$
    SELECT input || '.' || @schema@.algorithm_sign(input, secret, algorithm)
    FROM (SELECT @schema@.url_encode(pg_catalog.convert_to('{"alg":"' || algorithm || '","typ":"JWT"}', 'utf8'))
                 || '.' ||
                 @schema@.url_encode(pg_catalog.convert_to(payload::text, 'utf8')) AS input) AS signing
$pgjwt_go$;

-- try_cast_double: float8 input, any error becoming NULL.
CREATE OR REPLACE FUNCTION @schema@.try_cast_double(inp text) RETURNS double precision
LANGUAGE plpgsql IMMUTABLE AS $pgjwt_go$
BEGIN
    RETURN inp::double precision;
EXCEPTION WHEN OTHERS THEN
    RETURN NULL;
END
$pgjwt_go$;

-- verify: decode header and payload, compare the MAC as text, and (0.2.0)
-- require the transaction time to lie in [nbf, exp). The AND skips the
-- window when the MAC comparison is false.
CREATE OR REPLACE FUNCTION @schema@.verify(token text, secret text, algorithm text DEFAULT 'HS256')
RETURNS TABLE(header json, payload json, valid boolean)
LANGUAGE sql IMMUTABLE AS $pgjwt_go$
    SELECT parts.header,
           parts.payload,
           parts.mac_matches AND pg_catalog.tstzrange(
               pg_catalog.to_timestamp(@schema@.try_cast_double(parts.payload ->> 'nbf')),
               pg_catalog.to_timestamp(@schema@.try_cast_double(parts.payload ->> 'exp'))
           ) @> CURRENT_TIMESTAMP
    FROM (SELECT pg_catalog.convert_from(@schema@.url_decode(seg[1]), 'utf8')::json AS header,
                 pg_catalog.convert_from(@schema@.url_decode(seg[2]), 'utf8')::json AS payload,
                 seg[3] = @schema@.algorithm_sign(seg[1] || '.' || seg[2], secret, algorithm) AS mac_matches
          FROM pg_catalog.regexp_split_to_array(token, '[.]') AS seg) AS parts
$pgjwt_go$;
