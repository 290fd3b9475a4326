-- The public half: login(email, pass) in the exposed schema, returning the
-- token of the seed. SECURITY DEFINER, so the anonymous role needs no access
-- to the private schema. The secret is the database setting app.jwt_secret
-- (ALTER DATABASE ... SET "app.jwt_secret" TO '...'); without it login() fails
-- with 42704 rather than signing with a built-in secret.
CREATE OR REPLACE FUNCTION @exposed@.login(email text, pass text) RETURNS @private@.jwt_token
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $auth$
DECLARE
    _role name;
    result @private@.jwt_token;
BEGIN
    SELECT @private@.user_role(login.email, login.pass) INTO _role;
    IF _role IS NULL THEN
        RAISE invalid_password USING MESSAGE = 'invalid user or password';
    END IF;

    SELECT @sign@.sign(pg_catalog.row_to_json(r), pg_catalog.current_setting('app.jwt_secret')) AS token
      FROM (SELECT _role AS role, login.email AS email,
                   extract(epoch FROM pg_catalog.now())::integer + @lifetime@ AS exp) AS r
      INTO result;
    RETURN result;
END
$auth$;
