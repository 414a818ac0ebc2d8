-- 0001_orleans_clustering.sql
--
-- Storage for Orleans cluster membership (Microsoft.Orleans.Clustering.AdoNet,
-- ADO.NET invariant "Npgsql") on PostgreSQL 15.
--
-- The Orleans packages ship no SQL. This file was written for Messenger from
-- the contract of the provider (query keys, bound parameters, expected result
-- columns and the table-version rules), summarised in
-- docs/clustering-contract.md.
-- Table and column names below are our own. Only the table "orleansquery"
-- (columns querykey / querytext), the query key strings, the @Parameter names and
-- the result column aliases are fixed by the provider.
--
-- Safe to run more than once: objects are created only when missing and the
-- query rows are upserted, so re-running refreshes the query texts.
-- No psql meta-commands: the whole file is one multi-statement batch.

-- ---------------------------------------------------------------------------
-- Query catalogue. At start-up the provider runs, verbatim,
--     SELECT QueryKey, QueryText FROM OrleansQuery
-- (unquoted, so PostgreSQL folds it to lower case) and looks the texts up by
-- exact, case-sensitive key. Other Orleans ADO.NET providers (reminders,
-- persistence, ...) read the same table and may add their own rows later.
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS orleansquery
(
    querykey  varchar(64) NOT NULL,
    querytext text        NOT NULL,
    CONSTRAINT orleansquery_pk PRIMARY KEY (querykey)
);

-- ---------------------------------------------------------------------------
-- One row per cluster (Orleans ClusterId, which the provider binds as
-- @DeploymentId). "version" is the membership table version that guards every
-- versioned change (optimistic concurrency): a silo may only add or change a
-- member row if it presents the version it last read, and each such change
-- moves the version forward by one.
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS orleans_cluster_version
(
    cluster_id varchar(150) NOT NULL,
    version    integer      NOT NULL DEFAULT 0,
    changed_at timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT orleans_cluster_version_pk PRIMARY KEY (cluster_id)
);

-- ---------------------------------------------------------------------------
-- One row per silo incarnation (address + port + generation) in a cluster.
-- Timestamps are timestamptz: the provider binds UTC DateTime values, which
-- Npgsql sends as timestamptz, so stored values do not depend on the session
-- time zone. Integers are int4 because the provider binds Int32 and reads
-- them back with GetInt32.
-- suspect_times is the text encoding of suspicion votes chosen by the
-- provider (pipe-separated silo/time pairs), stored opaquely.
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS orleans_cluster_silo
(
    cluster_id      varchar(150) NOT NULL,
    address         varchar(64)  NOT NULL,
    port            integer      NOT NULL,
    generation      integer      NOT NULL,
    silo_name       varchar(150) NOT NULL,
    host_name       varchar(255) NOT NULL,
    status          integer      NOT NULL,
    proxy_port      integer      NOT NULL,
    suspect_times   text         NULL,
    start_time      timestamptz  NOT NULL,
    i_am_alive_time timestamptz  NOT NULL,
    CONSTRAINT orleans_cluster_silo_pk PRIMARY KEY (cluster_id, address, port, generation),
    CONSTRAINT orleans_cluster_silo_cluster_fk FOREIGN KEY (cluster_id)
        REFERENCES orleans_cluster_version (cluster_id) ON DELETE CASCADE
);

-- ---------------------------------------------------------------------------
-- Query texts. Notes that apply to all of them:
--  * Placeholders are @Name. Npgsql rewrites them to positional parameters and
--    sends the types the provider chose: text (String), int4 (Int32) and
--    timestamptz (UTC DateTime).
--  * Result columns are aliased in double quotes so that they come back with
--    exactly the names the provider asks the data reader for.
--  * SiloStatus values used here: 3 = Active, 6 = Dead.
--  * Texts hold no semicolons and no comments and are dollar-quoted.
--  * Comments in this file avoid quote characters and semicolons so that any
--    statement splitter treats the file the same way PostgreSQL does.
-- ---------------------------------------------------------------------------
INSERT INTO orleansquery (querykey, querytext)
VALUES

-- Called by every silo while starting: make sure the cluster has a version row.
-- Returns one row, one boolean column: true only if this call created it.
('InsertMembershipVersionKey', $q$
WITH created AS (
    INSERT INTO orleans_cluster_version (cluster_id, version, changed_at)
    VALUES (@DeploymentId, 0, now())
    ON CONFLICT (cluster_id) DO NOTHING
    RETURNING 1
)
SELECT count(*) > 0 AS "Created" FROM created
$q$),

-- Read one silo plus the table version in one snapshot. Always one row when
-- the version row of the cluster exists. The silo columns are NULL when that
-- silo is not in the table (a NULL "StartTime" tells the provider "absent").
('MembershipReadRowKey', $q$
SELECT
    v.version         AS "Version",
    s.address         AS "Address",
    s.port            AS "Port",
    s.generation      AS "Generation",
    s.silo_name       AS "SiloName",
    s.host_name       AS "HostName",
    s.status          AS "Status",
    s.proxy_port      AS "ProxyPort",
    s.suspect_times   AS "SuspectTimes",
    s.start_time      AS "StartTime",
    s.i_am_alive_time AS "IAmAliveTime"
FROM orleans_cluster_version AS v
LEFT JOIN orleans_cluster_silo AS s
       ON s.cluster_id = v.cluster_id
      AND s.address    = @Address
      AND s.port       = @Port
      AND s.generation = @Generation
WHERE v.cluster_id = @DeploymentId
$q$),

-- Read every silo of the cluster plus the table version in one snapshot.
-- At least one row (version with NULL silo columns when nobody joined yet).
('MembershipReadAllKey', $q$
SELECT
    v.version         AS "Version",
    s.address         AS "Address",
    s.port            AS "Port",
    s.generation      AS "Generation",
    s.silo_name       AS "SiloName",
    s.host_name       AS "HostName",
    s.status          AS "Status",
    s.proxy_port      AS "ProxyPort",
    s.suspect_times   AS "SuspectTimes",
    s.start_time      AS "StartTime",
    s.i_am_alive_time AS "IAmAliveTime"
FROM orleans_cluster_version AS v
LEFT JOIN orleans_cluster_silo AS s
       ON s.cluster_id = v.cluster_id
WHERE v.cluster_id = @DeploymentId
ORDER BY s.address, s.port, s.generation
$q$),

-- Add a silo, guarded by the table version. @Version is the version the
-- caller last read. Steps, all in one statement:
--   1. lock the version row, but only if it still holds @Version,
--   2. add the silo row (nothing happens if it is already there),
--   3. only if 2 added a row, move the version forward by one.
-- Returns one boolean: true = inserted and version bumped, false = stale
-- version or silo already present, with nothing changed.
('InsertMembershipKey', $q$
WITH expected AS (
    SELECT v.cluster_id
    FROM orleans_cluster_version AS v
    WHERE v.cluster_id = @DeploymentId
      AND v.version    = @Version
    FOR UPDATE
), added AS (
    INSERT INTO orleans_cluster_silo
        (cluster_id, address, port, generation, silo_name, host_name,
         status, proxy_port, start_time, i_am_alive_time)
    SELECT e.cluster_id, @Address, @Port, @Generation, @SiloName, @HostName,
           @Status, @ProxyPort, @StartTime, @IAmAliveTime
    FROM expected AS e
    ON CONFLICT ON CONSTRAINT orleans_cluster_silo_pk DO NOTHING
    RETURNING cluster_id
), bumped AS (
    UPDATE orleans_cluster_version AS v
    SET version = v.version + 1,
        changed_at = now()
    FROM added AS a
    WHERE v.cluster_id = a.cluster_id
    RETURNING 1
)
SELECT count(*) = 1 AS "Inserted" FROM bumped
$q$),

-- Change status / suspicion votes / alive time, guarded by the table
-- version exactly like the insert above. false = stale version or silo not
-- present, with nothing changed.
('UpdateMembershipKey', $q$
WITH expected AS (
    SELECT v.cluster_id
    FROM orleans_cluster_version AS v
    WHERE v.cluster_id = @DeploymentId
      AND v.version    = @Version
    FOR UPDATE
), changed AS (
    UPDATE orleans_cluster_silo AS s
    SET status          = @Status,
        suspect_times   = @SuspectTimes,
        i_am_alive_time = @IAmAliveTime
    FROM expected AS e
    WHERE s.cluster_id = e.cluster_id
      AND s.address    = @Address
      AND s.port       = @Port
      AND s.generation = @Generation
    RETURNING s.cluster_id
), bumped AS (
    UPDATE orleans_cluster_version AS v
    SET version = v.version + 1,
        changed_at = now()
    FROM changed AS c
    WHERE v.cluster_id = c.cluster_id
    RETURNING 1
)
SELECT count(*) = 1 AS "Updated" FROM bumped
$q$),

-- Heartbeat: refresh the alive time of one silo. Deliberately not versioned,
-- the table version stays as it is. The provider ignores the result.
('UpdateIAmAlivetimeKey', $q$
UPDATE orleans_cluster_silo
SET i_am_alive_time = @IAmAliveTime
WHERE cluster_id = @DeploymentId
  AND address    = @Address
  AND port       = @Port
  AND generation = @Generation
$q$),

-- Client side (gateway list provider): gateways of active silos.
-- @Status is bound by the provider to 3 (Active).
('GatewaysQueryKey', $q$
SELECT
    s.address    AS "Address",
    s.proxy_port AS "ProxyPort",
    s.generation AS "Generation"
FROM orleans_cluster_silo AS s
WHERE s.cluster_id = @DeploymentId
  AND s.status     = @Status
  AND s.proxy_port > 0
$q$),

-- Remove a whole cluster: the version row goes and its silo rows follow through
-- the ON DELETE CASCADE foreign key. Result ignored by the provider.
('DeleteMembershipTableEntriesKey', $q$
DELETE FROM orleans_cluster_version
WHERE cluster_id = @DeploymentId
$q$),

-- Bulk pruning of dead silos (required key, but see the next key): delete Dead
-- rows whose start time and last heartbeat are both older than the cut-off
-- bound as @IAmAliveTime (UTC). Not versioned, result ignored by the provider.
('CleanupDefunctSiloEntriesKey', $q$
DELETE FROM orleans_cluster_silo
WHERE cluster_id = @DeploymentId
  AND status     = 6
  AND start_time      < @IAmAliveTime
  AND i_am_alive_time < @IAmAliveTime
$q$),

-- Optional key (note the singular Entry). When it is present the provider no
-- longer uses the bulk query above: it reads the table, picks the dead silos it
-- considers expired (also looking at their suspicion votes) and calls this once
-- per silo with the values it saw. Delete only if that row is still dead and
-- unchanged, so a row modified in the meantime survives until the next round.
-- Empty and NULL suspect_times are treated alike because the provider reads an
-- empty string back as no votes. Not versioned, result ignored.
('CleanupDefunctSiloEntryKey', $q$
DELETE FROM orleans_cluster_silo
WHERE cluster_id      = @DeploymentId
  AND address         = @Address
  AND port            = @Port
  AND generation      = @Generation
  AND status          = 6
  AND start_time      = @StartTime
  AND i_am_alive_time = @IAmAliveTime
  AND NULLIF(suspect_times, '') IS NOT DISTINCT FROM NULLIF(@SuspectTimes, '')
$q$)

ON CONFLICT (querykey) DO UPDATE
SET querytext = EXCLUDED.querytext;
