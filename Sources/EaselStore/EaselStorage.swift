/// Everything an Easel node keeps durably: the queue and task records, credentials, media and the outbox. SQLite
/// (one node) and PostgreSQL (many nodes) both implement all of it.
public typealias EaselStorage = TaskStore & CredentialStore & MediaLibrary & NotificationOutbox
