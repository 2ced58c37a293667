import EaselCore
import Foundation
import PostgresNIO

extension PostgresStore: MediaLibrary {
    public func addFile(_ file: MediaFile) async throws {
        let record = try RecordCoding.encode(file)
        try await statement { tx in
            try await tx.run("""
                INSERT INTO media (file_id, app_id, sub_app_id, record)
                VALUES (\(file.fileId), \(file.tenant.appId), \(file.tenant.subAppId), \(record))
                ON CONFLICT (file_id) DO UPDATE
                    SET app_id = EXCLUDED.app_id, sub_app_id = EXCLUDED.sub_app_id, record = EXCLUDED.record
                """)
        }
    }

    public func file(id fileId: String, tenant: Tenant) async throws -> MediaFile? {
        let data = try await statement { tx in
            try await tx.scalar("""
                SELECT record FROM media WHERE file_id = \(fileId) AND app_id = \(tenant.appId) AND sub_app_id = \(tenant.subAppId)
                """, as: Data.self)
        }
        return try data.map { try RecordCoding.decode(MediaFile.self, from: $0) }
    }
}
