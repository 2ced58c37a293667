import EaselCore
import Foundation
import PostgresNIO

extension PostgresStore: CreateRateCounter {
    public func countCreate(tenant: Tenant, windowStart: Int64) async throws -> Int {
        try await statement { tx in
            try await tx.scalar("""
                INSERT INTO rate_windows (app_id, sub_app_id, window_start, creates)
                VALUES (\(tenant.appId), \(tenant.subAppId), \(windowStart), 1)
                ON CONFLICT (app_id, sub_app_id, window_start) DO UPDATE SET creates = rate_windows.creates + 1
                RETURNING creates
                """, as: Int.self) ?? 1
        }
    }

    public func purgeRateWindows(before: Date) async throws {
        try await statement { tx in
            try await tx.run("DELETE FROM rate_windows WHERE window_start < \(Int64(before.timeIntervalSince1970))")
        }
    }
}
