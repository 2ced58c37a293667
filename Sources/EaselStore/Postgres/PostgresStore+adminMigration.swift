extension PostgresStore {
    /// v3, operating Easel: app records and installation settings the admin API writes, usage counted per UTC day,
    /// app, credential and model in the transactions that change task states, and the task columns (model, key,
    /// session) plus indexes the admin search filters on while it pages by seq.
    static let adminMigration: (version: Int, statements: [String]) = (3, [
        "ALTER TABLE tasks ADD COLUMN model text NOT NULL DEFAULT ''",
        "ALTER TABLE tasks ADD COLUMN key_id text",
        "ALTER TABLE tasks ADD COLUMN session_id text",
        """
        UPDATE tasks SET
            model = COALESCE(doc.value ->> 'modelName', '') || '-' || COALESCE(doc.value ->> 'modelVersion', ''),
            key_id = doc.record ->> 'keyId',
            session_id = doc.record ->> 'sessionId'
        FROM (SELECT seq, convert_from(record, 'UTF8')::jsonb AS record,
                     convert_from(record, 'UTF8')::jsonb -> 'request' AS value FROM tasks) AS doc
        WHERE tasks.seq = doc.seq
        """,
        "CREATE INDEX tasks_status_seq ON tasks (status, seq DESC)",
        "CREATE INDEX tasks_model_seq ON tasks (model, seq DESC)",
        "CREATE INDEX tasks_created ON tasks (created_at)",
        "CREATE INDEX tasks_id_prefix ON tasks (id text_pattern_ops)",
        "CREATE INDEX tasks_session_prefix ON tasks (session_id text_pattern_ops) WHERE session_id IS NOT NULL",
        "CREATE INDEX deliveries_dead ON deliveries (seq) WHERE status = 'dead'",
        """
        CREATE TABLE apps (
            app_id bigint NOT NULL,
            sub_app_id bigint NOT NULL,
            name text,
            concurrency bigint,
            create_rate_per_second double precision,
            callback_url text,
            webhook_url text,
            bucket text,
            bucket_region text,
            bucket_prefix text,
            created_at double precision NOT NULL,
            updated_at double precision NOT NULL,
            PRIMARY KEY (app_id, sub_app_id)
        )
        """,
        """
        CREATE TABLE usage (
            day text NOT NULL,
            app_id bigint NOT NULL,
            sub_app_id bigint NOT NULL,
            key_id text NOT NULL,
            model text NOT NULL,
            created bigint NOT NULL DEFAULT 0,
            succeeded bigint NOT NULL DEFAULT 0,
            failed bigint NOT NULL DEFAULT 0,
            aborted bigint NOT NULL DEFAULT 0,
            images bigint NOT NULL DEFAULT 0,
            upstream_seconds double precision NOT NULL DEFAULT 0,
            PRIMARY KEY (day, app_id, sub_app_id, key_id, model)
        )
        """,
        "CREATE INDEX usage_app ON usage (app_id, sub_app_id, day)",
        "CREATE TABLE settings (name text PRIMARY KEY, value text NOT NULL)",
    ])
}
