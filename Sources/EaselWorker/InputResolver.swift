import EaselBlobs
import EaselCore
import EaselEngines
import EaselStore
import Foundation

/// Fetches and checks a task's reference images for an upstream: media-library files, base64 payloads and URLs.
/// URLs go through the SSRF guard (http(s) only; no loopback, private, link-local or unique-local addresses unless
/// allowed; redirects followed by hand, each hop checked again), at most `maxBytes`, and must be a real png, jpeg
/// or webp whose header dimensions stay under `maxPixels`, so a decompression bomb is refused before anyone decodes it.
/// Each hop connects to the very address its check approved (never to a second DNS answer), which closes the
/// DNS-rebinding window between checking and connecting.
public struct InputResolver: Sendable {
    /// Makes a transport that connects `host` only to `address`.
    public typealias PinnedTransport = @Sendable (_ host: String, _ address: String) -> UpstreamHTTP

    let media: any MediaLibrary
    let blobs: any BlobStore
    let http: UpstreamHTTP
    let policy: CallbackURLPolicy
    let resolver: AddressResolver
    let pinned: PinnedTransport
    var maxBytes = 7 * 1024 * 1024
    var maxPixels = 50_000_000
    var maxRedirects = 3
    // Tests widen this to let a loopback fake stand in for a public host; production always uses the policy.
    var permitsAddress: @Sendable (String) -> Bool

    /// Creates a resolver. URLs of allowlisted hosts are fetched through `http`; every other URL is resolved with
    /// `resolver`, checked, and fetched through `pinned` to the checked address. Neither may follow redirects.
    public init(media: any MediaLibrary, blobs: any BlobStore, http: UpstreamHTTP, policy: CallbackURLPolicy,
                maxBytes: Int = 7 * 1024 * 1024, maxPixels: Int = 50_000_000, resolver: AddressResolver = .system,
                pinned: @escaping PinnedTransport = { UpstreamHTTP.pinned(host: $0, to: $1) }) {
        self.media = media
        self.blobs = blobs
        self.http = http
        self.policy = policy
        self.maxBytes = maxBytes
        self.maxPixels = maxPixels
        self.resolver = resolver
        self.pinned = pinned
        self.permitsAddress = { [policy] in policy.permits(resolvedAddress: $0) }
    }

    /// The inputs, fetched and checked; failures are non-retryable `EngineError`s naming the input.
    public func resolve(_ inputs: [InputImage], tenant: Tenant) async throws -> [ResolvedImage] {
        var resolved: [ResolvedImage] = []
        for (index, input) in inputs.enumerated() {
            let field = "FileInfos.\(index)"
            let (bytes, url) = try await load(input, tenant: tenant, field: field)
            guard let info = ImageProbe.inspect(bytes) else {
                throw EngineError(code: "InvalidParameter.MediaFormat",
                                  message: "\(field) is not a png, jpeg or webp image.", isRetryable: false)
            }
            guard info.width * info.height <= maxPixels else {
                throw EngineError(code: "InvalidParameterValue",
                                  message: "\(field) is \(info.width)x\(info.height); at most \(maxPixels) pixels are accepted.",
                                  isRetryable: false)
            }
            resolved.append(ResolvedImage(bytes: bytes, info: info, sourceURL: url, text: input.text,
                                          referenceType: input.referenceType))
        }
        return resolved
    }

    private func load(_ input: InputImage, tenant: Tenant, field: String) async throws -> ([UInt8], String?) {
        switch input.source {
        case .file:
            guard let file = try await media.file(id: input.fileId ?? "", tenant: tenant),
                  let bytes = try await blobs.get(key: file.blobKey)
            else { throw EngineError(code: "InvalidParameterValue.FileId", message: "\(field): the file no longer exists.", isRetryable: false) }
            return (bytes, nil)
        case .base64:
            guard let data = Data(base64Encoded: input.base64 ?? "", options: .ignoreUnknownCharacters) else {
                throw EngineError(code: "InvalidParameterValue", message: "\(field).Base64 is not valid base64.", isRetryable: false)
            }
            return (Array(data), nil)
        case .url:
            let url = input.url ?? ""
            return (try await fetch(url, field: field), url)
        }
    }

    private func fetch(_ start: String, field: String) async throws -> [UInt8] {
        var url = start
        for _ in 0...maxRedirects {
            let transport = try await checkedTransport(for: url, field: field)
            let response = try await transport.send(UpstreamRequest(method: "GET", url: url, timeout: .seconds(30),
                                                                    maxResponseBytes: maxBytes + 1))
            switch response.status {
            case 200..<300:
                guard response.body.count <= maxBytes else { throw tooLarge(field) }
                return response.body
            case 301, 302, 303, 307, 308:
                guard let location = response.header("location"), let next = URL(string: location, relativeTo: URL(string: url)) else {
                    throw unreachable(field, "a redirect without a location")
                }
                url = next.absoluteString
            default:
                throw unreachable(field, "HTTP \(response.status)")
            }
        }
        throw unreachable(field, "too many redirects")
    }

    /// Checks `url` and returns the transport to fetch it with: the shared one for allowlisted hosts, otherwise one
    /// pinned to the first resolved address, after every resolved address passed the policy.
    private func checkedTransport(for url: String, field: String) async throws -> UpstreamHTTP {
        do {
            try policy.validate(url, field: "\(field).Url")
        } catch {
            throw EngineError(code: error.code.rawValue, message: error.message, isRetryable: false)
        }
        guard let parsed = URL(string: url), let rawHost = parsed.host, !rawHost.isEmpty else {
            throw unreachable(field, "it has no host")
        }
        // The name exactly as the HTTP client will look it up, so the pin applies to it.
        let host = rawHost.hasPrefix("[") && rawHost.hasSuffix("]") ? String(rawHost.dropFirst().dropLast()) : rawHost
        if policy.isAllowed(host: host, port: parsed.port) { return http }
        let port = parsed.port ?? (parsed.scheme?.lowercased() == "https" ? 443 : 80)
        let addresses = (try? await resolver.resolve(host, port)) ?? []
        guard let address = addresses.first else { throw unreachable(field, "its host does not resolve") }
        guard addresses.allSatisfy(permitsAddress) else {
            throw EngineError(code: "InvalidParameterValue",
                              message: "\(field).Url resolves to a private or internal address, which is not allowed.", isRetryable: false)
        }
        return pinned(host, address)
    }

    private func tooLarge(_ field: String) -> EngineError {
        EngineError(code: "InvalidParameterValue", message: "\(field) is larger than \(maxBytes / 1024 / 1024) MB.", isRetryable: false)
    }

    private func unreachable(_ field: String, _ why: String) -> EngineError {
        EngineError(code: "InvalidParameterValue", message: "\(field).Url could not be fetched (\(why)).", isRetryable: false)
    }
}
