-- The private half of the seed's "SQL User Management": schema, users table,
-- role-exists constraint trigger, password-hashing trigger, user_role() and
-- the jwt_token type. Written for pgjwt-go from the seed's description; the
-- installer (auth/schema.go) fills in the quoted names (comments here name
-- no placeholder: a name could end the comment) and runs it with the rest
-- in one transaction. Every statement leaves an existing, identical object
-- alone or replaces it with itself, so a second installation changes
-- nothing.
--
-- Differences from the abridged seed, none of which changes a result:
-- pgcrypto's functions are called schema-qualified and the functions pin
-- search_path, so no role's search_path can redirect them; the e'' literal
-- keeps the regular expression intact whatever standard_conforming_strings
-- says.

CREATE SCHEMA IF NOT EXISTS @private@;

CREATE TABLE IF NOT EXISTS @private@.users (
    email text PRIMARY KEY
        CONSTRAINT users_email_check CHECK (email ~* e'^.+@.+\\..+$'),
    pass text NOT NULL
        CONSTRAINT users_pass_check CHECK (length(pass) < 512),
    role name NOT NULL
        CONSTRAINT users_role_check CHECK (length(role) < 512)
);

-- PostgreSQL has no foreign keys to pg_roles: a constraint trigger checks
-- that the role exists, after every insert and update.
CREATE OR REPLACE FUNCTION @private@.check_role_exists() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $auth$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles AS r WHERE r.rolname = new.role) THEN
        RAISE foreign_key_violation USING MESSAGE = 'unknown database role: ' || new.role;
    END IF;
    RETURN new;
END
$auth$;

DO $auth$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger AS t
                     JOIN pg_catalog.pg_class AS c ON c.oid = t.tgrelid
                     JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
                    WHERE n.nspname = @private_lit@ AND c.relname = 'users'
                      AND t.tgname = 'ensure_user_role_exists') THEN
        CREATE CONSTRAINT TRIGGER ensure_user_role_exists
            AFTER INSERT OR UPDATE ON @private@.users
            FOR EACH ROW EXECUTE FUNCTION @private@.check_role_exists();
    END IF;
END
$auth$;

-- Passwords are stored as bcrypt hashes (gen_salt('bf'): cost 6, or the
-- gen_salt type and count the installer was given). An update rehashes only
-- when the stored text changes, so an update that leaves pass alone keeps
-- the hash.
CREATE OR REPLACE FUNCTION @private@.encrypt_pass() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $auth$
BEGIN
    IF tg_op = 'INSERT' OR new.pass <> old.pass THEN
        new.pass = @pgcrypto@.crypt(new.pass, @gen_salt@);
    END IF;
    RETURN new;
END
$auth$;

DO $auth$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger AS t
                     JOIN pg_catalog.pg_class AS c ON c.oid = t.tgrelid
                     JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
                    WHERE n.nspname = @private_lit@ AND c.relname = 'users'
                      AND t.tgname = 'encrypt_pass') THEN
        CREATE TRIGGER encrypt_pass
            BEFORE INSERT OR UPDATE ON @private@.users
            FOR EACH ROW EXECUTE FUNCTION @private@.encrypt_pass();
    END IF;
END
$auth$;

-- The role of the user with this email and password, or NULL.
CREATE OR REPLACE FUNCTION @private@.user_role(email text, pass text) RETURNS name
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $auth$
BEGIN
    RETURN (
        SELECT users.role FROM @private@.users AS users
         WHERE users.email = user_role.email
           AND users.pass = @pgcrypto@.crypt(user_role.pass, users.pass)
    );
END
$auth$;

DO $auth$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type AS t
                     JOIN pg_catalog.pg_namespace AS n ON n.oid = t.typnamespace
                    WHERE n.nspname = @private_lit@ AND t.typname = 'jwt_token') THEN
        CREATE TYPE @private@.jwt_token AS (token text);
    END IF;
END
$auth$;
