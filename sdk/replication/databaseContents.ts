/**
 * What a database holds, and emptying it in place: a logical replica starts from an empty
 * database, and emptying (instead of dropping and recreating it) keeps what belongs to the
 * database itself: its owner marker (the comment), its collation and encoding, and its grants.
 */
import { psql, type PostgresConnection } from "./postgresCopy";

/** Schemas every database has; nothing in them belongs to an app. */
const SYSTEM_SCHEMAS = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'`;

/**
 * How many objects the database holds beyond an empty one's: schemas other than `public`,
 * extensions other than plpgsql, and relations, functions and types in its schemas.
 */
export async function databaseObjectCount(c: PostgresConnection): Promise<number> {
  const count = await psql(
    c,
    `SELECT (SELECT count(*) FROM pg_namespace n WHERE ${SYSTEM_SCHEMAS} AND n.nspname <> 'public')
          + (SELECT count(*) FROM pg_extension WHERE extname <> 'plpgsql')
          + (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${SYSTEM_SCHEMAS})
          + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE ${SYSTEM_SCHEMAS})
          + (SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
              WHERE ${SYSTEM_SCHEMAS} AND t.typtype IN ('d', 'e', 'r') )`,
  );
  return Number(count.trim());
}

/**
 * Drops everything the database holds (schemas other than `public` with their contents,
 * extensions other than plpgsql, and every table, view, sequence, function and type in `public`)
 * and keeps the database, its comment, settings and grants, and the `public` schema with its own
 * owner and grants. Runs in one transaction.
 */
export async function emptyDatabase(c: PostgresConnection): Promise<void> {
  await psql(
    c,
    `BEGIN;
     DO $$ DECLARE r record; BEGIN
       FOR r IN SELECT n.nspname FROM pg_namespace n WHERE ${SYSTEM_SCHEMAS} AND n.nspname <> 'public' LOOP
         EXECUTE format('DROP SCHEMA %I CASCADE', r.nspname);
       END LOOP;
       FOR r IN SELECT extname FROM pg_extension WHERE extname <> 'plpgsql' LOOP
         EXECUTE format('DROP EXTENSION IF EXISTS %I CASCADE', r.extname);
       END LOOP;
       FOR r IN SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') LOOP
         EXECUTE format('DROP %s IF EXISTS public.%I CASCADE',
           CASE r.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
             WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, r.relname);
       END LOOP;
       FOR r IN SELECT p.oid, p.prokind FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                 WHERE n.nspname = 'public' LOOP
         IF EXISTS (SELECT 1 FROM pg_proc WHERE oid = r.oid) THEN
           EXECUTE format('DROP %s %s CASCADE',
             CASE r.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END,
             r.oid::regprocedure);
         END IF;
       END LOOP;
       FOR r IN SELECT t.oid, t.typtype FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                 WHERE n.nspname = 'public' AND (t.typtype IN ('d', 'e', 'r')
                   OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')) LOOP
         IF EXISTS (SELECT 1 FROM pg_type WHERE oid = r.oid) THEN
           EXECUTE format('DROP %s %s CASCADE', CASE r.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END,
             r.oid::regtype);
         END IF;
       END LOOP;
     END $$;
     COMMIT;`,
  );
}
