/**
 * A schema exercising what naive dump tools lose: many types, several schemas, odd names, partitions, views,
 * composite types, triggers, comments, large objects, and columns named like a row alias a fingerprint might pick.
 */
export const RICH_SCHEMA_SQL = `
CREATE SCHEMA sales;
CREATE SCHEMA "Mixed Case";
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0);
CREATE TABLE public.everything (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  small smallint, big bigint, num numeric(30, 10), r real, d double precision,
  t text, vc varchar(20), ch char(5), b bytea, flag boolean,
  day date, ts timestamp, tstz timestamptz, dur interval, tod time, todtz timetz,
  u uuid, j json, jb jsonb, arr int[], tarr text[], m mood, p positive_int, rng int4range, tsr tstzrange,
  x xml, ip inet, net cidr, mac macaddr, pt point, bits bit varying(16), doc tsvector,
  doubled bigint GENERATED ALWAYS AS (big * 2) STORED
);
INSERT INTO public.everything (small, big, num, r, d, t, vc, ch, b, flag, day, ts, tstz, dur, tod, todtz, u, j, jb, arr, tarr, m, p, rng, tsr, x, ip, net, mac, pt, bits, doc)
SELECT g, g * 9007199254740993, g / 7.0, g * 1.5, CASE g % 4 WHEN 0 THEN 'NaN'::float8 WHEN 1 THEN 'Infinity' WHEN 2 THEN '-Infinity' ELSE -0.0 END,
  'row ' || g || E' \\u00e9\\u4e2d\\n', 'v' || g, 'c', decode(md5(g::text), 'hex'), g % 2 = 0,
  date '2024-02-29' + g, timestamp '2024-01-01 00:00:00.123456' + g * interval '1 hour', timestamptz '2024-03-31 01:30:00+00' + g * interval '1 minute',
  g * interval '1 day 2 hours 3.5 seconds', time '23:59:59.999999', timetz '12:00:00+05:30',
  md5(g::text)::uuid, json_build_object('g', g, 'nested', json_build_array(1, 'two', null)), jsonb_build_object('k', g, 'f', 1.5e300),
  ARRAY[g, -g, NULL], ARRAY['a', 'b"c', NULL], (ARRAY['sad', 'ok', 'happy'])[1 + g % 3]::mood, g, int4range(g, g + 10), tstzrange(now() - interval '1 day', NULL),
  ('<r n="' || g || '"/>')::xml, '192.168.0.1'::inet, '10.0.0.0/8'::cidr, '08:00:2b:01:02:03'::macaddr, point(g, -g), B'1010'::bit varying, to_tsvector('english', 'the quick brown fox ' || g)
FROM generate_series(1, 500) g;
INSERT INTO public.everything (t) VALUES (NULL);
CREATE TABLE sales.orders (id serial, placed date NOT NULL, amount numeric(12, 2), PRIMARY KEY (id, placed)) PARTITION BY RANGE (placed);
CREATE TABLE sales.orders_2024 PARTITION OF sales.orders FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE sales.orders_2025 PARTITION OF sales.orders FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
INSERT INTO sales.orders (placed, amount) SELECT date '2024-06-01' + (g % 400), g * 1.01 FROM generate_series(1, 2000) g;
CREATE UNLOGGED TABLE sales.scratch (k text PRIMARY KEY, v int);
INSERT INTO sales.scratch SELECT 'k' || g, g FROM generate_series(1, 100) g;
CREATE TABLE "Mixed Case"."Table With Spaces" ("Column A" int, "x" text);
INSERT INTO "Mixed Case"."Table With Spaces" VALUES (1, 'one'), (2, 'two');
CREATE MATERIALIZED VIEW sales.totals AS SELECT placed, sum(amount) AS total FROM sales.orders GROUP BY placed;
CREATE SEQUENCE public.invoice_no START 1000;
SELECT nextval('public.invoice_no') FROM generate_series(1, 42);
CREATE TABLE public.empty_table (a int);
CREATE TYPE public.address AS (street text, zip varchar(10), geo point);
CREATE TABLE public.customers (id int PRIMARY KEY, home address, past address[], updated_at timestamptz);
INSERT INTO public.customers SELECT g, ROW('Main St ' || g, lpad(g::text, 5, '0'), point(g, g))::address,
  ARRAY[ROW('Old Rd', NULL, NULL)::address], timestamptz '2024-01-01 00:00:00+00' FROM generate_series(1, 50) g;
CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
CREATE TRIGGER customers_touch BEFORE UPDATE ON public.customers FOR EACH ROW EXECUTE FUNCTION public.touch();
COMMENT ON TABLE public.customers IS 'people, with "quotes" and a newline
inside';
COMMENT ON COLUMN public.customers.home IS 'where they live';
CREATE TABLE public.tricky (cairn_row int, cairn_row_ text, "cairn_row alias" int);
INSERT INTO public.tricky SELECT g, 'v' || g, -g FROM generate_series(1, 20) g;
CREATE TABLE public.documents (id int PRIMARY KEY, body oid);
INSERT INTO public.documents SELECT g, lo_from_bytea(0, convert_to(repeat('page ' || g || E'\n', g * 100), 'UTF8')) FROM generate_series(1, 5) g;
`;
