import EaselCore
import PropertyBased
import Testing
@testable import EaselApp
@testable import EaselHTTP

/// Form/query decoding, v1 signature checks and the VOD list's ScrollToken see unauthenticated input: none traps,
/// and each answers only its documented errors.
@Suite struct ParameterPropertyTests {
    static let fragments = ["a", "A.0", "A.+1", "A.01", "=", "&", "%", "%2", "%zz", "%2B", "+", "Signature", "SecretId",
                            "Timestamp", "Nonce", "SignatureMethod", "HmacSHA256", "HmacSHA1", "99999999999999999999",
                            "-1", "0", "\u{0}", "é", "🦊", " ", ".", ".."]
    static let text = Gen.element(of: fragments).compactMap { $0 }.array(of: 0...60).map { $0.joined() }

    @Test func formDecodingNeverTrapsAndKeepsItsBounds() async {
        await propertyCheck(count: 3_000, input: Self.text) { text in
            do {
                let pairs = try FormParameters.decode(text)
                #expect(pairs.count <= JSONValue.FlattenedLimits.maxParameters)
                #expect(pairs.allSatisfy { !$0.key.isEmpty })
                _ = try? JSONValue.unflatten(pairs)
            } catch let error as APIError {
                #expect(error.code == "InvalidParameter")
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
        let many = (0...JSONValue.FlattenedLimits.maxParameters).map { "k\($0)=v" }.joined(separator: "&")
        #expect(throws: APIError.self) { try FormParameters.decode(many) }
    }

    @Test func v1VerificationNeverTrapsOnHostileParameters() async {
        let verifier = V1Verifier()
        await propertyCheck(count: 3_000, input: Self.text) { text in
            let pairs = (try? FormParameters.decode(text)) ?? []
            var params: [String: String] = [:]
            for (key, value) in pairs { params[key] = value }
            for method in ["GET", "POST"] {
                do {
                    _ = try verifier.verify(method: method, host: "127.0.0.1:8080", params: params, now: 1_700_000_000) { _ in "secret" }
                    Issue.record("a random parameter set verified: \(params)")
                } catch let error as SignatureError {
                    #expect(["MissingParameter", "AuthFailure.SecretIdNotFound", "AuthFailure.SignatureFailure",
                             "AuthFailure.SignatureExpire"].contains(error.code), "\(error.code)")
                } catch {
                    Issue.record("unexpected \(error)")
                }
            }
        }
    }
}
