-- The privileges of vejled's service role on a PostgreSQL database (README: "PostgreSQL",
-- "Roles and least privilege").  Run it as the owner role after every `vejled migrate`
-- (it is safe to run again):
--   psql -v service=vejled_service -f db/postgres-grants.sql postgresql://vejled_owner@HOST/vejled
-- The owner role creates and migrates the schema; the service role (`vejled serve`, the
-- scheduler, `vejled jobs run`, `purge`, `evidence`) reads and writes rows, but can never
-- change or remove the record: the journal, the signed checkpoints and their keys, the
-- access log and the account log take rows and give them back, nothing else.  The
-- triggers refuse such changes too; the privileges make it so even for a role that could
-- set the triggers aside.
GRANT USAGE ON SCHEMA public TO :"service";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"service";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"service";
REVOKE UPDATE, DELETE, TRUNCATE ON journal, checkpoints, signing_keys, access_log, account_log
    FROM :"service";
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON schema_migrations FROM :"service";
