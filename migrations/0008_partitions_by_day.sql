ALTER TABLE "workspaces" ADD COLUMN "settings" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "search_key" text;--> statement-breakpoint
CREATE INDEX "runs_search_idx" ON "runs" USING hash ("search_key");--> statement-breakpoint
-- The tables written on every event are partitioned by time, so that history expires by dropping a
-- partition (no long DELETE, no bloat) and a day's rows sit together. Their keys are UUIDv7, whose first
-- 48 bits are the millisecond the row was made: the key itself says which partition a row is in.

-- The smallest UUIDv7 of a millisecond: its time bits, then zeros.
CREATE FUNCTION bundles_uuid7_floor(t timestamptz) RETURNS uuid LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  select encode(substring(int8send(floor(extract(epoch from t) * 1000)::bigint) from 3) || '\x00000000000000000000'::bytea, 'hex')::uuid
$$;
--> statement-breakpoint
-- A UUIDv7 of a given time (for rows whose time is not now: history filled by the benchmark, tests).
CREATE FUNCTION bundles_uuid7_at(t timestamptz) RETURNS uuid LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
  select encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
    placing substring(int8send(floor(extract(epoch from t) * 1000)::bigint) from 3) from 1 for 6), 52, 1), 53, 1), 'hex')::uuid
$$;
--> statement-breakpoint
-- The partitioned tables: the column they are partitioned on, how many days a partition spans, and the
-- retention setting (workspaces.settings -> retention) that expires them. Messages are looked up by the
-- provider's id on every status callback, across all partitions: a week each keeps 180 days to 26.
CREATE FUNCTION bundles_partitioned_tables() RETURNS TABLE (tbl text, key text, width_days int, retention text)
LANGUAGE sql IMMUTABLE AS $$
  values ('events', 'id', 1, 'runsDays'), ('runs', 'id', 1, 'runsDays'), ('steps', 'run_id', 1, 'runsDays'),
         ('messages', 'id', 7, 'messagesDays'), ('webhook_deliveries', 'id', 1, 'deliveriesDays')
$$;
--> statement-breakpoint
-- The first day of the partition of `tbl` that holds `day` (partitions are aligned on 1970-01-01).
CREATE FUNCTION bundles_partition_start(width_days int, day date) RETURNS date LANGUAGE sql IMMUTABLE AS $$
  select date '1970-01-01' + ((day - date '1970-01-01') / width_days) * width_days
$$;
--> statement-breakpoint
-- Creates the partitions of every partitioned table that hold the days from_day..to_day (UTC), when
-- missing. Rows of a new partition's range already in the DEFAULT partition (written while no partition
-- was there, or a random pre-v7 id) move into it first. Returns how many partitions it created.
CREATE FUNCTION bundles_ensure_partitions(from_day date, to_day date) RETURNS int LANGUAGE plpgsql AS $$
declare
  t record;
  d date;
  name text;
  lo uuid;
  hi uuid;
  created int := 0;
begin
  -- Processes starting together create each partition once.
  perform pg_advisory_xact_lock(hashtext('bundles_ensure_partitions'));
  for t in select * from bundles_partitioned_tables() loop
    d := bundles_partition_start(t.width_days, from_day);
    while d <= to_day loop
      name := t.tbl || '_p' || to_char(d, 'YYYYMMDD');
      if to_regclass(name) is null then
        lo := bundles_uuid7_floor(d::timestamp at time zone 'UTC');
        hi := bundles_uuid7_floor((d + t.width_days)::timestamp at time zone 'UTC');
        execute format('create table %I (like %I including defaults including constraints including storage)', name, t.tbl);
        execute format('with moved as (delete from %I where %I >= %L and %I < %L returning *) insert into %I select * from moved',
          t.tbl || '_default', t.key, lo, t.key, hi, name);
        -- The range as a check lets ATTACH skip scanning the new table.
        execute format('alter table %I add constraint %I check (%I >= %L and %I < %L)', name, name || '_range', t.key, lo, t.key, hi);
        execute format('alter table %I attach partition %I for values from (%L) to (%L)', t.tbl, name, lo, hi);
        execute format('alter table %I drop constraint %I', name, name || '_range');
        created := created + 1;
      end if;
      d := d + t.width_days;
    end loop;
  end loop;
  return created;
end
$$;
--> statement-breakpoint
-- Turns a table into a partitioned one of the same name whose DEFAULT partition is the old table with its
-- rows, indexes and keys (kept, not rebuilt: ATTACH adopts an index that matches the parent's).
CREATE FUNCTION bundles_partition_table(tbl text, key text) RETURNS void LANGUAGE plpgsql AS $$
declare
  def text := tbl || '_default';
  r record;
  identity_col text;
  last_value bigint;
begin
  execute format('alter table %I rename to %I', tbl, def);
  select a.attname into identity_col from pg_attribute a
    where a.attrelid = def::regclass and a.attidentity <> '' and not a.attisdropped;
  if identity_col is not null then
    execute format('select max(%I) from %I', identity_col, def) into last_value;
  end if;
  execute format('create table %I (like %I including defaults including identity including generated including storage including compression) partition by range (%I)', tbl, def, key);
  if identity_col is not null then
    -- The parent's identity continues where the old table's ended; the partition's own goes (the parent's serves all).
    execute format('alter table %I alter column %I drop identity', def, identity_col);
    if last_value is not null then
      perform setval(pg_get_serial_sequence(tbl, identity_col), last_value);
    end if;
  end if;
  -- Keys and indexes by the old names, on the parent; the old table's become its partition's.
  for r in select c.conname, pg_get_constraintdef(c.oid) as def from pg_constraint c
           where c.conrelid = def::regclass and c.contype in ('p', 'u', 'f') loop
    execute format('alter table %I rename constraint %I to %I', def, r.conname, left(r.conname, 54) || '_default');
    execute format('alter table %I add constraint %I %s', tbl, r.conname, r.def);
  end loop;
  for r in select i.relname as name, pg_get_indexdef(i.oid) as def from pg_index x join pg_class i on i.oid = x.indexrelid
           where x.indrelid = def::regclass and not exists (select 1 from pg_constraint c where c.conindid = i.oid and c.conrelid = def::regclass) loop
    execute format('alter index %I rename to %I', r.name, left(r.name, 54) || '_default');
    execute replace(replace(r.def, format('INDEX %s ON', r.name), format('INDEX %I ON', r.name)), format(' ON public.%s ', def), format(' ON public.%I ', tbl));
  end loop;
  execute format('alter table %I attach partition %I default', tbl, def);
end
$$;
--> statement-breakpoint
SELECT bundles_partition_table(tbl, key) FROM bundles_partitioned_tables();
--> statement-breakpoint
DROP FUNCTION bundles_partition_table(text, text);
--> statement-breakpoint
SELECT bundles_ensure_partitions(current_date - 1, current_date + 7);
