-- The account functions of the exposed schema, installed when the
-- installer is given the role of new users (WithUserRole):
-- signup(email, pass) and change_password(pass, new_pass), both returning
-- void (PostgREST answers 204). Both are SECURITY DEFINER, so their callers
-- need no rights on the private schema, and check what the Go Service
-- checks before it writes, with the same SQLSTATE and message: NULL
-- arguments (22004), passwords longer than the Service's default limit
-- (22001), emails longer than the stores' limit (22001). A failed check
-- constraint is raised again without PostgreSQL's DETAIL "Failing row
-- contains (...)", which would show the new password's hash to the client.
CREATE OR REPLACE FUNCTION @exposed@.signup(email text, pass text) RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $auth$
BEGIN
    IF signup.email IS NULL OR signup.pass IS NULL THEN
        RAISE null_value_not_allowed USING MESSAGE = 'email and pass must not be null';
    END IF;
    IF octet_length(signup.pass) > @max_pass@ THEN
        RAISE string_data_right_truncation USING MESSAGE = 'password is too long',
            DETAIL = format('The password has %s bytes; at most %s are allowed.', octet_length(signup.pass), @max_pass@);
    END IF;
    IF length(signup.email) > @max_email@ THEN
        RAISE string_data_right_truncation USING MESSAGE = 'value too long for type character varying(@max_email@)',
            DETAIL = format('The email has %s characters; at most %s are allowed.', length(signup.email), @max_email@);
    END IF;
    INSERT INTO @private@.users (email, pass, role) VALUES (signup.email, signup.pass, @user_lit@);
EXCEPTION WHEN check_violation THEN
    RAISE check_violation USING MESSAGE = SQLERRM;
END
$auth$;

-- change_password(pass, new_pass): the caller is the user named by the
-- email claim of its token (request.jwt.claims, as PostgREST sets it), and
-- proves it once more with the current password.
CREATE OR REPLACE FUNCTION @exposed@.change_password(pass text, new_pass text) RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $auth$
DECLARE
    _email text := nullif(current_setting('request.jwt.claims', true), '')::json ->> 'email';
BEGIN
    IF _email IS NULL THEN
        RAISE insufficient_privilege USING MESSAGE = 'the token has no email claim';
    END IF;
    IF change_password.new_pass IS NULL THEN
        RAISE null_value_not_allowed USING MESSAGE = 'new_pass must not be null';
    END IF;
    IF octet_length(change_password.new_pass) > @max_pass@ THEN
        RAISE string_data_right_truncation USING MESSAGE = 'password is too long',
            DETAIL = format('The password has %s bytes; at most %s are allowed.', octet_length(change_password.new_pass), @max_pass@);
    END IF;
    IF octet_length(change_password.pass) > @max_pass@ THEN
        RAISE string_data_right_truncation USING MESSAGE = 'password is too long',
            DETAIL = format('The password has %s bytes; at most %s are allowed.', octet_length(change_password.pass), @max_pass@);
    END IF;
    IF @private@.user_role(_email, change_password.pass) IS NULL THEN
        RAISE invalid_password USING MESSAGE = 'invalid user or password';
    END IF;
    UPDATE @private@.users SET pass = change_password.new_pass WHERE users.email = _email;
EXCEPTION WHEN check_violation THEN
    RAISE check_violation USING MESSAGE = SQLERRM;
END
$auth$;

-- Signing up is for anonymous requests; changing a password for the
-- users' role only (functions are executable by PUBLIC unless revoked).
-- The role of new users is created when missing and granted to the
-- authenticator, which must be able to switch to it.
DO $auth$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = @user_lit@) THEN
        BEGIN
            CREATE ROLE @user@ NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END IF;
    IF NOT pg_catalog.pg_has_role(@authenticator_lit@, @user_lit@, 'MEMBER') THEN
        BEGIN
            GRANT @user@ TO @authenticator@;
        EXCEPTION WHEN unique_violation THEN
            NULL;
        END;
    END IF;
END
$auth$;

GRANT USAGE ON SCHEMA @exposed@ TO @user@;
REVOKE ALL ON FUNCTION @exposed@.signup(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @exposed@.signup(text, text) TO @anon@;
REVOKE ALL ON FUNCTION @exposed@.change_password(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @exposed@.change_password(text, text) TO @user@;
