import EaselCore
import Foundation
import GRDB

extension SQLiteStore: MediaLibrary {
    public func addFile(_ file: MediaFile) async throws {
        let record = try RecordCoding.encode(file)
        try await write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO media (file_id, app_id, sub_app_id, record) VALUES (?, ?, ?, ?)",
                           arguments: [file.fileId, file.tenant.appId, file.tenant.subAppId, record])
        }
    }

    public func file(id fileId: String, tenant: Tenant) async throws -> MediaFile? {
        let data = try await read { db in
            try Data.fetchOne(db, sql: "SELECT record FROM media WHERE file_id = ? AND app_id = ? AND sub_app_id = ?",
                              arguments: [fileId, tenant.appId, tenant.subAppId])
        }
        return try data.map { try RecordCoding.decode(MediaFile.self, from: $0) }
    }
}
