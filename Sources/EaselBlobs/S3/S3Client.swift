import AsyncHTTPClient
import Crypto
import EaselCore
import Foundation
import NIOCore
import NIOHTTP1

/// A small S3 client: bucket creation, object put/get/delete, object URLs and presigned GET URLs, signed with
/// AWS Signature Version 4. It runs on a caller-owned `HTTPClient` (one per process; the caller shuts it down).
public struct S3Client: Sendable {
    /// Where and how requests go.
    public let configuration: S3Configuration
    private let http: HTTPClient
    private let clock: @Sendable () -> Date

    // Error bodies are small XML documents; anything larger is not worth reading.
    private static let maxErrorBodyBytes = 64 * 1024

    /// Creates a client on `httpClient`; `clock` supplies the signing time (tests pin it).
    public init(configuration: S3Configuration, httpClient: HTTPClient,
                clock: @escaping @Sendable () -> Date = { Date() }) {
        self.configuration = configuration
        self.http = httpClient
        self.clock = clock
    }

    /// Creates `bucket` (`PUT /bucket`), with a `LocationConstraint` outside `us-east-1`. Creating a bucket the
    /// caller already owns succeeds.
    public func createBucket(_ bucket: String) async throws(S3Error) {
        let body: [UInt8] = configuration.region == "us-east-1" ? [] : Array(
            ("<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>"
                + "\(configuration.region)</LocationConstraint></CreateBucketConfiguration>").utf8)
        let url = try configuration.requestURL(bucket: bucket, key: nil)
        do throws(S3Error) {
            _ = try await send("CreateBucket", method: .PUT, url: url, body: body, headers: [])
        } catch where error.code == "BucketAlreadyOwnedByYou" {
            return
        }
    }

    /// Uploads `bytes` as `key`, replacing any object there, and returns the ETag the service assigned (without
    /// quotes; for a single-part upload, the hex MD5 of the body on AWS, moto and MinIO). The body
    /// is signed (`x-amz-content-sha256` is its real SHA-256) and, by default, carries `Content-MD5`.
    @discardableResult
    public func putObject(bucket: String, key: String, bytes: [UInt8],
                          contentType: String = "application/octet-stream") async throws(S3Error) -> String? {
        let url = try configuration.requestURL(bucket: bucket, key: try Self.checked(key: key, "PutObject"))
        var headers = [("Content-Type", contentType)]
        if configuration.sendsContentMD5 {
            headers.append(("Content-MD5", Data(Insecure.MD5.hash(data: bytes)).base64EncodedString()))
        }
        let response = try await send("PutObject", method: .PUT, url: url, body: bytes, headers: headers)
        return response.etag
    }

    /// The bytes of `key`. A missing object throws an ``S3Error`` whose ``S3Error/isNoSuchKey`` is true; a body
    /// larger than ``S3Configuration/maxObjectBytes`` throws ``S3Error/Kind/responseTooLarge``.
    public func getObject(bucket: String, key: String) async throws(S3Error) -> [UInt8] {
        let url = try configuration.requestURL(bucket: bucket, key: try Self.checked(key: key, "GetObject"))
        return try await send("GetObject", method: .GET, url: url, body: [], headers: []).body
    }

    /// Deletes `key`; deleting a missing object succeeds, as in S3.
    public func deleteObject(bucket: String, key: String) async throws(S3Error) {
        let url = try configuration.requestURL(bucket: bucket, key: try Self.checked(key: key, "DeleteObject"))
        do throws(S3Error) {
            _ = try await send("DeleteObject", method: .DELETE, url: url, body: [], headers: [])
        } catch where error.isNoSuchKey {
            return
        }
    }

    /// The plain URL an object is reachable at (see ``S3Configuration/objectURL(bucket:key:)``).
    public func objectURL(bucket: String, key: String) throws(S3Error) -> URL {
        try configuration.objectURL(bucket: bucket, key: key)
    }

    /// A URL anyone can GET `key` with, without credentials, for `expires` seconds (clamped to 1 s…7 days). It is
    /// always on the endpoint, since the signature covers the host.
    public func presignedGetURL(bucket: String, key: String, expires: Int) throws(S3Error) -> String {
        let url = try configuration.requestURL(bucket: bucket, key: try Self.checked(key: key, "PresignGetObject"))
        return SigV4Signer.presign(url: url, expires: expires, credentials: configuration.credentials,
                                   region: configuration.region, date: clock())
    }

    // MARK: Transport

    private struct Answer {
        var body: [UInt8]
        var etag: String?
    }

    private func send(_ operation: String, method: HTTPMethod, url: URL, body: [UInt8],
                      headers: [(String, String)]) async throws(S3Error) -> Answer {
        let payloadHash = SigV4Signer.payloadHash(body)
        var signed = headers
        signed.append(("x-amz-content-sha256", payloadHash))
        guard let host = SigV4Signer.hostHeader(of: url) else {
            throw S3Error(kind: .invalidRequest, operation: operation, message: "request URL has no host")
        }
        signed.append(("Host", host))
        let added = SigV4Signer.sign(method: method.rawValue, url: url, headers: signed, payloadHash: payloadHash,
                                     credentials: configuration.credentials, region: configuration.region,
                                     service: "s3", date: clock())
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = method
        for (name, value) in signed + added where name.lowercased() != "host" {
            request.headers.add(name: name, value: value)
        }
        // AsyncHTTPClient would derive the same value; setting it keeps what is sent identical to what was signed.
        request.headers.replaceOrAdd(name: "Host", value: host)
        if !body.isEmpty || method == .PUT {
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: Self.timeAmount(configuration.timeout))
        } catch {
            throw S3Error(kind: .transport, operation: operation, message: Self.transportMessage(error))
        }
        let status = Int(response.status.code)
        guard (200..<300).contains(status) else {
            let buffer = try? await response.body.collect(upTo: Self.maxErrorBodyBytes)
            let bytes = buffer.map { Array($0.readableBytesView) } ?? []
            throw S3Error.service(operation: operation, status: status, body: bytes)
        }
        do {
            let buffer = try await response.body.collect(upTo: method == .GET ? configuration.maxObjectBytes
                                                                           : Self.maxErrorBodyBytes)
            let etag = response.headers.first(name: "ETag")?.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            return Answer(body: Array(buffer.readableBytesView), etag: etag)
        } catch is NIOTooManyBytesError {
            throw S3Error(kind: .responseTooLarge, operation: operation, status: status,
                          message: "response body exceeds the configured limit")
        } catch {
            throw S3Error(kind: .transport, operation: operation, status: status, message: Self.transportMessage(error))
        }
    }

    /// Rejects keys S3 cannot store (empty, or longer than 1024 bytes).
    private static func checked(key: String, _ operation: String) throws(S3Error) -> String {
        guard !key.isEmpty, key.utf8.count <= 1_024 else {
            throw S3Error(kind: .invalidRequest, operation: operation, message: "invalid object key")
        }
        return key
    }

    private static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        // Clamped to a day so the nanosecond count cannot overflow.
        return .nanoseconds(min(max(seconds, 0), 86_400) * 1_000_000_000 + max(attoseconds, 0) / 1_000_000_000)
    }

    // Transport errors from NIO/AsyncHTTPClient describe the failure without echoing request headers.
    private static func transportMessage(_ error: any Error) -> String {
        String(String(describing: error).prefix(300))
    }
}
