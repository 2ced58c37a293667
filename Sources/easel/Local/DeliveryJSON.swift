import EaselCore

/// Deliveries rendered as the admin API's `Delivery` object.
enum DeliveryJSON {
    /// `{"id", "task_id", "app_id", "sub_app_id", "kind", "url", "status", "attempts", "next_attempt_at", "last_error", "created_at"}`.
    static func object(_ delivery: Delivery) -> [String: JSONValue] {
        [
            "id": .string(delivery.id), "task_id": .string(delivery.taskId.rawValue), "app_id": .int(delivery.tenant.appId),
            "sub_app_id": .int(delivery.tenant.subAppId), "kind": .string(delivery.format.rawValue), "url": .string(delivery.url),
            "status": .string(delivery.status.rawValue), "attempts": .int(Int64(delivery.attempts)),
            "next_attempt_at": .string(ISOTime.string(delivery.nextAttemptAt)),
            "last_error": TaskJSON.optional(delivery.lastError), "created_at": .string(ISOTime.string(delivery.createdAt)),
        ]
    }
}
