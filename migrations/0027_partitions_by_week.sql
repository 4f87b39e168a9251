-- Events, runs and steps in week partitions instead of day ones. A statement that reaches a partitioned
-- table other than by inserting (the run write's update of runs, the duplicate count on events) opens and
-- locks each of its partitions: with 30 days kept a table had 37, and the database's CPU per event grew
-- with them (pnpm bench --history 1k, BENCHMARKS.md). A week each keeps 30 days in 6; a partition goes once
-- the last day it can hold is past the retention, so runs may be kept up to 6 days longer than asked, never
-- less. The delivery log stays in days (it is only ever inserted into on the hot path; kept 14 days to the day).
CREATE OR REPLACE FUNCTION bundles_partitioned_tables() RETURNS TABLE (tbl text, key text, width_days int, retention text)
LANGUAGE sql IMMUTABLE AS $$
  values ('events', 'id', 7, 'runsDays'), ('runs', 'id', 7, 'runsDays'), ('steps', 'run_id', 7, 'runsDays'),
         ('messages', 'id', 7, 'messagesDays'), ('webhook_deliveries', 'id', 1, 'deliveriesDays')
$$;
--> statement-breakpoint
-- The day a UUIDv7 bound of a partition stands for (its first 48 bits are milliseconds since 1970).
CREATE FUNCTION bundles_uuid7_day(u uuid) RETURNS date LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  select (to_timestamp(('x' || substr(replace(u::text, '-', ''), 1, 12))::bit(48)::bigint / 1000.0) at time zone 'UTC')::date
$$;
--> statement-breakpoint
-- The partitions of every partitioned table but the DEFAULT ones, with the days they hold: [lo, hi). Read
-- from their bounds, since a table may hold partitions of both widths (day ones made before this migration).
CREATE FUNCTION bundles_partition_ranges() RETURNS TABLE (tbl text, name text, lo date, hi date, retention text)
LANGUAGE sql STABLE AS $$
  select t.tbl, c.relname::text, bundles_uuid7_day(b[1]::uuid), bundles_uuid7_day(b[2]::uuid), t.retention
  from bundles_partitioned_tables() t
  join pg_inherits i on i.inhparent = t.tbl::regclass
  join pg_class c on c.oid = i.inhrelid
  cross join lateral regexp_match(pg_get_expr(c.relpartbound, c.oid), $re$FROM \('([0-9a-f-]+)'\) TO \('([0-9a-f-]+)'\)$re$) b
  where b is not null
$$;
--> statement-breakpoint
-- Creates the partitions that hold the days from_day..to_day (UTC) where none does. A new partition spans
-- its table's width, aligned on 1970-01-01, clipped to the partitions already there (so a table's day
-- partitions of before this migration stay, and the week ones start where they end). Rows of a new
-- partition's range already in the DEFAULT partition move into it first. Returns how many it created.
CREATE OR REPLACE FUNCTION bundles_ensure_partitions(from_day date, to_day date) RETURNS int LANGUAGE plpgsql AS $$
declare
  t record;
  d date;
  lo date;
  hi date;
  name text;
  lo_id uuid;
  hi_id uuid;
  created int := 0;
begin
  -- Processes starting together create each partition once.
  perform pg_advisory_xact_lock(hashtext('bundles_ensure_partitions'));
  for t in select * from bundles_partitioned_tables() loop
    d := from_day;
    while d <= to_day loop
      select r.hi into hi from bundles_partition_ranges() r where r.tbl = t.tbl and r.lo <= d and d < r.hi;
      if hi is not null then
        d := hi;
        continue;
      end if;
      select greatest(bundles_partition_start(t.width_days, d), max(r.hi)) into lo
        from bundles_partition_ranges() r where r.tbl = t.tbl and r.hi <= d;
      select least(bundles_partition_start(t.width_days, d) + t.width_days, min(r.lo)) into hi
        from bundles_partition_ranges() r where r.tbl = t.tbl and r.lo > d;
      name := t.tbl || '_p' || to_char(lo, 'YYYYMMDD');
      lo_id := bundles_uuid7_floor(lo::timestamp at time zone 'UTC');
      hi_id := bundles_uuid7_floor(hi::timestamp at time zone 'UTC');
      execute format('create table %I (like %I including defaults including constraints including storage)', name, t.tbl);
      execute format('with moved as (delete from %I where %I >= %L and %I < %L returning *) insert into %I select * from moved',
        t.tbl || '_default', t.key, lo_id, t.key, hi_id, name);
      -- The range as a check lets ATTACH skip scanning the new table.
      execute format('alter table %I add constraint %I check (%I >= %L and %I < %L)', name, name || '_range', t.key, lo_id, t.key, hi_id);
      execute format('alter table %I attach partition %I for values from (%L) to (%L)', t.tbl, name, lo_id, hi_id);
      execute format('alter table %I drop constraint %I', name, name || '_range');
      created := created + 1;
      d := hi;
    end loop;
  end loop;
  return created;
end
$$;
--> statement-breakpoint
-- The day partitions of events, runs and steps that nothing is in yet go, so that their days come in week
-- partitions. A day goes from the three together or not at all (retention drops their partitions together).
DO $$
declare
  r record;
  n text;
  empty boolean;
  has_rows boolean;
begin
  for r in
    select array_agg(p.name) as names from bundles_partition_ranges() p
    where p.hi = p.lo + 1 and p.tbl in ('events', 'runs', 'steps')
    group by p.lo
  loop
    empty := true;
    foreach n in array r.names loop
      execute format('select exists (select 1 from %I)', n) into has_rows;
      empty := empty and not has_rows;
    end loop;
    if empty then
      foreach n in array r.names loop
        execute format('drop table %I', n);
      end loop;
    end if;
  end loop;
end
$$;
--> statement-breakpoint
SELECT bundles_ensure_partitions(current_date - 1, current_date + 7);
