import Crypto
import EaselBlobs
import EaselCore
import EaselEngines
import EaselStore
import Foundation

/// Stores what an engine produced: bytes in the blob store, a media-library entry for permanent outputs, and the
/// metadata (size, MD5, dimensions) the dialects report.
struct OutputWriter: Sendable {
    let blobs: any BlobStore
    let media: any MediaLibrary
    let settings: WorkerSettings
    let uploader: (any OutputBucketUploader)?

    /// The bucket a task's outputs go to, if any: the request's StoreCosParam, else the app's bucket.
    static func bucket(for task: TaskRecord, settings: WorkerSettings) async -> BucketTarget? {
        if let cos = task.request.storeCos {
            return BucketTarget(bucket: cos.bucketName, region: cos.bucketRegion, prefix: cos.bucketPath)
        }
        return await settings.apps.settings(for: task.tenant).bucketTarget
    }

    func store(_ images: [GeneratedImage], of task: TaskRecord, finishedAt: Date) async throws -> [TaskOutput] {
        var outputs: [TaskOutput] = []
        let bucket = await Self.bucket(for: task, settings: settings)
        for (index, image) in images.enumerated() {
            let md5 = HexText.of(Insecure.MD5.hash(data: image.bytes))
            let fileType = image.info.format.fileExtension
            let contentType = image.info.format.contentType
            switch task.request.storageMode {
            case .temporary:
                let key = Self.temporaryKey(of: task, index: index, fileType: fileType)
                try await blobs.put(image.bytes, key: key, contentType: contentType)
                let ttl = settings.temporaryOutputTTL[task.dialect] ?? .seconds(7 * 86_400)
                outputs.append(TaskOutput(index: index, blobKey: key, fileId: nil, fileType: fileType, contentType: contentType,
                                          width: image.info.width, height: image.info.height, size: image.bytes.count, md5: md5,
                                          storageMode: .temporary, expiresAt: finishedAt + ttl.timeInterval))
            case .permanent:
                let fileId = MediaFile.makeFileId()
                let key = "media/\(task.tenant.appId)/\(fileId).\(fileType)"
                try await blobs.put(image.bytes, key: key, contentType: contentType)
                let name = task.request.mediaName.map { images.count > 1 ? "\($0)-\(index + 1)" : $0 }
                try await media.addFile(MediaFile(fileId: fileId, tenant: task.tenant, blobKey: key, contentType: contentType,
                                                  fileType: fileType, width: image.info.width, height: image.info.height,
                                                  size: image.bytes.count, md5: md5, mediaName: name,
                                                  classId: task.request.classId ?? 0, createdAt: finishedAt,
                                                  sourceTaskId: task.id.rawValue))
                outputs.append(TaskOutput(index: index, blobKey: key, fileId: fileId, fileType: fileType, contentType: contentType,
                                          width: image.info.width, height: image.info.height, size: image.bytes.count, md5: md5,
                                          storageMode: .permanent, expiresAt: nil))
            }
            if let bucket, let uploader {
                outputs[index].externalURL = try await upload(image, index: index, of: task, to: bucket, with: uploader)
            }
        }
        return outputs
    }

    /// Where a temporary output lives: `outputs/<app>/<shard>/<task>-<index>.<ext>`, the shard three hex digits of
    /// the task id's SHA-256. A directory per task cost a `mkdir(2)` and an inode per task (9 % of the end-to-end run
    /// under perf) and stayed behind empty when the sweeper removed the file; 4,096 shards are made once and hold a
    /// few hundred files each at a million tasks. Keys are stored with each output, so older layouts still resolve.
    static func temporaryKey(of task: TaskRecord, index: Int, fileType: String) -> String {
        let shard = HexText.of(SHA256.hash(data: Array(task.id.rawValue.utf8))).prefix(3)
        return "outputs/\(task.tenant.appId)/\(shard)/\(task.id)-\(index).\(fileType)"
    }

    private func upload(_ image: GeneratedImage, index: Int, of task: TaskRecord, to bucket: BucketTarget,
                        with uploader: any OutputBucketUploader) async throws -> String {
        do {
            let lifetime: Duration? = settings.bucketLinksArePublic ? nil
                : (settings.temporaryOutputTTL[task.dialect] ?? .seconds(7 * 86_400))
            return try await uploader.upload(image.bytes, to: bucket, key: "\(task.id)/\(index).\(image.info.format.fileExtension)",
                                             contentType: image.info.format.contentType, linkLifetime: lifetime)
        } catch {
            let detail = (error as? S3Error).flatMap { $0.code ?? $0.status.map { "HTTP \($0)" } } ?? "unreachable"
            throw EngineError(code: "FailedOperation",
                              message: "The images could not be stored in bucket \(bucket.bucket) (\(detail)).", isRetryable: false)
        }
    }
}
