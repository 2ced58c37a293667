/// Everything an Easel node keeps durably: the queue and task records, credentials, media, the outbox, and what
/// operating it needs (app records, usage, the admin search, statistics and settings). SQLite (one node) and
/// PostgreSQL (many nodes) both implement all of it.
public typealias EaselStorage = TaskStore & CredentialStore & MediaLibrary & NotificationOutbox & AppDirectory & UsageLedger
    & TaskSearch & StoreStatistics & SettingsStore & TaskLogStore
