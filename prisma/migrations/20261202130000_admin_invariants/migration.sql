-- At least one active admin, under concurrency. Nowcast's admin verbs check this themselves
-- inside a transaction that holds advisory lock 727220001 (server/auth/admin-tx.ts); this
-- trigger is the defence in depth for any other writer (a hand-written UPDATE, a future
-- code path). It takes the same lock, so two transactions that each remove a different admin
-- are serialized: the second one sees the first one's committed change and is refused.
-- Deferred to commit, so one transaction may demote an admin after promoting another.
-- READ COMMITTED (the default) is required: the check must read a snapshot taken after the lock.
CREATE FUNCTION "users_keep_an_active_admin"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(727220001);
  IF NOT EXISTS (SELECT 1 FROM "users" WHERE "role" = 'admin' AND NOT "banned") THEN
    RAISE EXCEPTION 'at least one active admin must remain'
      USING ERRCODE = 'check_violation', CONSTRAINT = 'users_one_active_admin',
            HINT = 'make another user admin first (npm run users -- promote EMAIL)';
  END IF;
  RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER "users_one_active_admin"
  AFTER UPDATE OF "role", "banned" OR DELETE ON "users"
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW
  WHEN (OLD."role" = 'admin' AND NOT OLD."banned")
  EXECUTE FUNCTION "users_keep_an_active_admin"();
