/**
 * The metadata schema, as ordered, append-only migrations. The first keeps the columns and indexes existing
 * deployments query (an existing backup_history table is extended, not replaced); later ones add what Cairn needs.
 */
export const migrations: { id: number; name: string; sql: string }[] = [
  {
    id: 1,
    name: 'backup_history',
    sql: `
      CREATE TABLE IF NOT EXISTS backup_history (
        id            BIGSERIAL PRIMARY KEY,
        backup_id     TEXT NOT NULL,
        backup_type   TEXT NOT NULL,
        timestamp     TIMESTAMPTZ NOT NULL,
        size_bytes    BIGINT,
        checksum      TEXT,
        status        TEXT NOT NULL,
        error_message TEXT,
        created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      CREATE INDEX IF NOT EXISTS idx_backup_history_timestamp ON backup_history (timestamp);
      CREATE INDEX IF NOT EXISTS idx_backup_history_type ON backup_history (backup_type);
      CREATE INDEX IF NOT EXISTS idx_backup_history_status ON backup_history (status);`,
  },
  {
    id: 2,
    name: 'cairn_columns',
    sql: `
      ALTER TABLE backup_history
        ADD COLUMN IF NOT EXISTS target       TEXT,
        ADD COLUMN IF NOT EXISTS object_key   TEXT,
        ADD COLUMN IF NOT EXISTS manifest_key TEXT,
        ADD COLUMN IF NOT EXISTS workflow_id  TEXT,
        ADD COLUMN IF NOT EXISTS run_id       TEXT,
        ADD COLUMN IF NOT EXISTS duration_ms  BIGINT,
        ADD COLUMN IF NOT EXISTS counts       JSONB,
        ADD COLUMN IF NOT EXISTS finished_at  TIMESTAMPTZ,
        ADD COLUMN IF NOT EXISTS updated_at   TIMESTAMPTZ NOT NULL DEFAULT now();
      -- One row per backup: the guard that makes retried activities idempotent.
      CREATE UNIQUE INDEX IF NOT EXISTS uq_backup_history_backup_id ON backup_history (backup_id);
      -- One backup per target per workflow run, so a retried "begin" finds its own row (a re-run of the same
      -- workflow id is a new run, so it never reuses, and overwrites, an earlier run's backup).
      CREATE UNIQUE INDEX IF NOT EXISTS uq_backup_history_run_target ON backup_history (run_id, target);
      CREATE INDEX IF NOT EXISTS idx_backup_history_target ON backup_history (target, timestamp DESC);
      ALTER TABLE backup_history DROP CONSTRAINT IF EXISTS backup_history_status_check;
      ALTER TABLE backup_history ADD CONSTRAINT backup_history_status_check
        CHECK (status IN ('running', 'success', 'failed'));`,
  },
  {
    id: 3,
    name: 'retention',
    sql: `
      -- Pruned backups keep their row (history and success rates stay true); their objects are gone.
      ALTER TABLE backup_history ADD COLUMN IF NOT EXISTS expired_at TIMESTAMPTZ;`,
  },
  {
    id: 4,
    name: 'backup_sets',
    sql: `
      -- One backup cycle is one set; "the latest complete set" is what a whole-platform restore and a drill use.
      CREATE TABLE IF NOT EXISTS backup_sets (
        set_id       TEXT PRIMARY KEY,
        workflow_id  TEXT NOT NULL,
        started_at   TIMESTAMPTZ NOT NULL,
        finished_at  TIMESTAMPTZ NOT NULL,
        complete     BOOLEAN NOT NULL,
        skew_ms      BIGINT NOT NULL,
        members      JSONB NOT NULL,
        set_key      TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS idx_backup_sets_started ON backup_sets (started_at DESC);
      ALTER TABLE backup_history ADD COLUMN IF NOT EXISTS set_id TEXT;`,
  },
  {
    id: 5,
    name: 'restore_and_drill_history',
    sql: `
      CREATE TABLE IF NOT EXISTS restore_history (
        restore_id   TEXT PRIMARY KEY,
        workflow_id  TEXT NOT NULL,
        started_at   TIMESTAMPTZ NOT NULL,
        finished_at  TIMESTAMPTZ NOT NULL,
        ok           BOOLEAN NOT NULL,
        targets      TEXT NOT NULL,
        backup_ids   TEXT NOT NULL,
        destinations TEXT NOT NULL,
        forced       BOOLEAN NOT NULL,
        validate_only BOOLEAN NOT NULL,
        bytes_read   BIGINT NOT NULL,
        duration_ms  BIGINT NOT NULL,
        report_key   TEXT NOT NULL,
        report       JSONB NOT NULL
      );
      CREATE INDEX IF NOT EXISTS idx_restore_history_started ON restore_history (started_at DESC);
      CREATE TABLE IF NOT EXISTS dr_drill_history (
        drill_id     TEXT PRIMARY KEY,
        workflow_id  TEXT NOT NULL,
        set_id       TEXT NOT NULL,
        started_at   TIMESTAMPTZ NOT NULL,
        finished_at  TIMESTAMPTZ NOT NULL,
        passed       BOOLEAN NOT NULL,
        rto_ms       BIGINT NOT NULL,
        rto_objective_ms BIGINT NOT NULL,
        rpo_ms       BIGINT NOT NULL,
        reasons      TEXT NOT NULL,
        report_key   TEXT NOT NULL,
        report       JSONB NOT NULL
      );
      CREATE INDEX IF NOT EXISTS idx_dr_drill_history_started ON dr_drill_history (started_at DESC);`,
  },
  {
    id: 6,
    name: 'retention_and_protection',
    sql: `
      -- 'scheduled' (started by the backup schedule) or 'manual': each kind has its own retention.
      ALTER TABLE backup_history ADD COLUMN IF NOT EXISTS trigger TEXT;
      -- Explicitly forgotten (cairn forget), as opposed to expired by retention; the row is kept either way.
      ALTER TABLE backup_history ADD COLUMN IF NOT EXISTS deleted_at TIMESTAMPTZ;
      -- A copy of the bucket's protection marker (<backupId>.protected.json), which is the truth.
      ALTER TABLE backup_history ADD COLUMN IF NOT EXISTS protected_at TIMESTAMPTZ;
      ALTER TABLE backup_history ADD COLUMN IF NOT EXISTS protected_reason TEXT;`,
  },
  {
    id: 7,
    name: 'adopted_backups',
    sql: `
      -- 'adopted': cairn adopt recorded an archive a legacy deployment left (NULL: Cairn took the backup).
      ALTER TABLE backup_history ADD COLUMN IF NOT EXISTS origin TEXT;
      -- The deployment it came from (ai-platform, clara, agentic, neo4j-r2).
      ALTER TABLE backup_history ADD COLUMN IF NOT EXISTS adopted_from TEXT;
      -- The legacy service's own id for it: an AI platform row adopted in place keeps its first backup_id here.
      ALTER TABLE backup_history ADD COLUMN IF NOT EXISTS legacy_id TEXT;`,
  },
];
