-- PostgREST's roles (created when missing) and the grants that let an
-- anonymous request sign up nothing and log in. Roles are cluster-wide: a
-- concurrent installation in another database may create the same role
-- between the check and CREATE ROLE, which is then not an error.
DO $auth$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = @anon_lit@) THEN
        BEGIN
            CREATE ROLE @anon@ NOINHERIT;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = @authenticator_lit@) THEN
        BEGIN
            CREATE ROLE @authenticator@ NOINHERIT;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END IF;
    IF NOT pg_catalog.pg_has_role(@authenticator_lit@, @anon_lit@, 'MEMBER') THEN
        BEGIN
            GRANT @anon@ TO @authenticator@;
        EXCEPTION WHEN unique_violation THEN
            NULL; -- granted meanwhile by an installation in another database
        END;
    END IF;
END
$auth$;

GRANT USAGE ON SCHEMA @exposed@ TO @anon@;
GRANT EXECUTE ON FUNCTION @exposed@.login(text, text) TO @anon@;
