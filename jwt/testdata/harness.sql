-- Test-only helpers around the functions of CompatSQL: each runs one
-- function over arrays of inputs, one subtransaction per element, and
-- returns the result or the error (SQLSTATE, message, detail, hint) per
-- element. The inputs reach the function through an OFFSET 0 subquery, so
-- they are not constants and nothing is folded at plan time: the evaluation
-- order is the runtime order of an ordinary query over table data.
-- @schema@ is replaced by the oracle schema.

CREATE OR REPLACE FUNCTION @schema@.t_url_decode(inputs text[])
RETURNS TABLE(i int, result bytea, code text, msg text, detail text, hint text)
LANGUAGE plpgsql AS $t$
BEGIN
    FOR k IN 1 .. coalesce(array_length(inputs, 1), 0) LOOP
        i := k; result := NULL; code := NULL; msg := NULL; detail := NULL; hint := NULL;
        BEGIN
            SELECT @schema@.url_decode(x.d) INTO result FROM (SELECT inputs[k] AS d OFFSET 0) x;
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
                detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
        END;
        RETURN NEXT;
    END LOOP;
END
$t$;

CREATE OR REPLACE FUNCTION @schema@.t_algorithm_sign(signables text[], secrets text[], algs text[])
RETURNS TABLE(i int, result text, code text, msg text, detail text, hint text)
LANGUAGE plpgsql AS $t$
BEGIN
    FOR k IN 1 .. coalesce(array_length(signables, 1), 0) LOOP
        i := k; result := NULL; code := NULL; msg := NULL; detail := NULL; hint := NULL;
        BEGIN
            SELECT @schema@.algorithm_sign(x.d, x.s, x.a) INTO result
            FROM (SELECT signables[k] AS d, secrets[k] AS s, algs[k] AS a OFFSET 0) x;
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
                detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
        END;
        RETURN NEXT;
    END LOOP;
END
$t$;

-- The payload arrives as text and is cast to json by the caller, as an
-- application's sign('...', ...) call does.
CREATE OR REPLACE FUNCTION @schema@.t_sign(payloads text[], secrets text[], algs text[])
RETURNS TABLE(i int, result text, code text, msg text, detail text, hint text)
LANGUAGE plpgsql AS $t$
BEGIN
    FOR k IN 1 .. coalesce(array_length(payloads, 1), 0) LOOP
        i := k; result := NULL; code := NULL; msg := NULL; detail := NULL; hint := NULL;
        BEGIN
            SELECT @schema@.sign(x.p::json, x.s, x.a) INTO result
            FROM (SELECT payloads[k] AS p, secrets[k] AS s, algs[k] AS a OFFSET 0) x;
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
                detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
        END;
        RETURN NEXT;
    END LOOP;
END
$t$;

-- All three columns are read: full evaluation, as SELECT * FROM verify(...).
CREATE OR REPLACE FUNCTION @schema@.t_verify(tokens text[], secrets text[], algs text[])
RETURNS TABLE(i int, header text, payload text, valid boolean, code text, msg text, detail text, hint text)
LANGUAGE plpgsql AS $t$
BEGIN
    FOR k IN 1 .. coalesce(array_length(tokens, 1), 0) LOOP
        i := k; header := NULL; payload := NULL; valid := NULL;
        code := NULL; msg := NULL; detail := NULL; hint := NULL;
        BEGIN
            SELECT v.header::text, v.payload::text, v.valid INTO header, payload, valid
            FROM (SELECT tokens[k] AS t, secrets[k] AS s, algs[k] AS a OFFSET 0) x,
                 LATERAL @schema@.verify(x.t, x.s, x.a) v;
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
                detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
        END;
        RETURN NEXT;
    END LOOP;
END
$t$;

-- convert_from(bytes, 'utf8'): the UTF-8 check of verify's decoded segments.
CREATE OR REPLACE FUNCTION @schema@.t_convert_from(inputs bytea[])
RETURNS TABLE(i int, result text, code text, msg text, detail text, hint text)
LANGUAGE plpgsql AS $t$
BEGIN
    FOR k IN 1 .. coalesce(array_length(inputs, 1), 0) LOOP
        i := k; result := NULL; code := NULL; msg := NULL; detail := NULL; hint := NULL;
        BEGIN
            SELECT pg_catalog.convert_from(x.b, 'utf8') INTO result FROM (SELECT inputs[k] AS b OFFSET 0) x;
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
                detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
        END;
        RETURN NEXT;
    END LOOP;
END
$t$;

-- verify() at an explicit instant: created by the tests from CompatSQL's own
-- verify text, with CURRENT_TIMESTAMP replaced by the parameter (see
-- verifyAtSQL in edge_test.go), so that fixed vectors can name their "now".
CREATE OR REPLACE FUNCTION @schema@.t_verify_at(tokens text[], secrets text[], algs text[], at_instant timestamptz)
RETURNS TABLE(i int, header text, payload text, valid boolean, code text, msg text, detail text, hint text)
LANGUAGE plpgsql AS $t$
BEGIN
    FOR k IN 1 .. coalesce(array_length(tokens, 1), 0) LOOP
        i := k; header := NULL; payload := NULL; valid := NULL;
        code := NULL; msg := NULL; detail := NULL; hint := NULL;
        BEGIN
            SELECT v.header::text, v.payload::text, v.valid INTO header, payload, valid
            FROM (SELECT tokens[k] AS t, secrets[k] AS s, algs[k] AS a, at_instant AS n OFFSET 0) x,
                 LATERAL @schema@.verify_at(x.t, x.s, x.a, x.n) v;
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
                detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
        END;
        RETURN NEXT;
    END LOOP;
END
$t$;
