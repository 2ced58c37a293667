import EaselBlobs
import EaselCore
import Foundation

extension EaselConfiguration {
    /// Where outputs and media live when several nodes share them (`output_store`): an S3-compatible bucket. Unset:
    /// the local `blobs` directory of the data dir.
    public struct OutputStore: Sendable, Equatable, Codable {
        /// The bucket (it must exist).
        public var bucket: String
        /// Key prefix inside the bucket (e.g. `easel`).
        public var prefix: String?
        /// Service endpoint, e.g. `https://s3.us-east-1.amazonaws.com`, `https://cos.ap-guangzhou.myqcloud.com`, or a
        /// MinIO/moto URL.
        public var endpoint: String
        /// Signing region.
        public var region: String
        /// Access key id.
        public var accessKeyId: String
        /// Secret access key.
        public var secretAccessKey: String
        /// `path` (MinIO, moto; the default) or `virtual-hosted` (AWS, COS).
        public var addressingStyle: String?

        /// The S3 configuration, or a configuration error naming what is wrong.
        func s3Configuration() throws -> S3Configuration {
            guard let url = URL(string: endpoint), url.scheme == "http" || url.scheme == "https" else {
                throw ConfigurationError(description: "output_store.endpoint must be an http(s) URL, got `\(endpoint)`.")
            }
            guard let style = S3Configuration.AddressingStyle(rawValue: addressingStyle ?? "path") else {
                throw ConfigurationError(description: "output_store.addressing_style must be path or virtual-hosted.")
            }
            return S3Configuration(endpoint: url, region: region,
                                   credentials: SigV4Credentials(accessKeyId: accessKeyId, secretAccessKey: secretAccessKey),
                                   addressingStyle: style)
        }

        /// From `EASEL_OUTPUT_BUCKET`, `EASEL_OUTPUT_ENDPOINT`, `EASEL_OUTPUT_REGION` (default `us-east-1`),
        /// `EASEL_OUTPUT_ACCESS_KEY_ID`, `EASEL_OUTPUT_SECRET_ACCESS_KEY`, `EASEL_OUTPUT_PREFIX`, `EASEL_OUTPUT_ADDRESSING`;
        /// nil without a bucket.
        static func fromEnvironment(_ environment: [String: String]) throws -> OutputStore? {
            guard let bucket = environment["EASEL_OUTPUT_BUCKET"], !bucket.isEmpty else { return nil }
            guard let endpoint = environment["EASEL_OUTPUT_ENDPOINT"], let key = environment["EASEL_OUTPUT_ACCESS_KEY_ID"],
                  let secret = environment["EASEL_OUTPUT_SECRET_ACCESS_KEY"] else {
                throw ConfigurationError(description: "EASEL_OUTPUT_BUCKET needs EASEL_OUTPUT_ENDPOINT, EASEL_OUTPUT_ACCESS_KEY_ID and EASEL_OUTPUT_SECRET_ACCESS_KEY.")
            }
            return OutputStore(bucket: bucket, prefix: environment["EASEL_OUTPUT_PREFIX"], endpoint: endpoint,
                               region: environment["EASEL_OUTPUT_REGION"] ?? "us-east-1", accessKeyId: key,
                               secretAccessKey: secret, addressingStyle: environment["EASEL_OUTPUT_ADDRESSING"])
        }
    }
}
