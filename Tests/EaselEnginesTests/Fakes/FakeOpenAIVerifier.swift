import EaselCore
import Foundation
@testable import EaselEngines

extension FakeOpenAIServer {
    /// Checks one request to the fake against the documented wire format (providers.md §1, §11a) field by field:
    /// method, path, Bearer header, content type, every JSON member's type and allowed values (no unknown members), and
    /// every multipart part's name, filename and content type (which must match the bytes). Deviations go to
    /// `Recorded.problems`; the fake then answers 400 as the real API does for unknown parameters.
    struct Verifier {
        let flavour: Flavour
        let apiKey: String?

        func verify(_ record: inout Recorded, body: [UInt8]) {
            var problems: [String] = []
            if let apiKey {
                if record.authorization != "Bearer \(apiKey)" { problems.append("Authorization is not 'Bearer <key>'.") }
            } else if record.authorization != nil {
                problems.append("Unexpected Authorization header.")
            }
            if record.method != "POST" { problems.append("Invalid method \(record.method): expected POST.") }
            switch record.path {
            case "/v1/images/generations":
                guard record.contentType?.hasPrefix("application/json") == true else {
                    problems.append("Content-Type must be application/json.")
                    break
                }
                guard let json = try? JSONValue.parse(body), let members = json.objectValue else {
                    problems.append("We could not parse the JSON body of your request.")
                    break
                }
                record.json = json
                for (name, value) in members.sorted(by: { $0.key < $1.key }) {
                    if let problem = check(name, value, multipart: false) { problems.append(problem) }
                }
                problems += missing(from: Set(members.keys))
            case "/v1/images/edits":
                guard let type = record.contentType, type.hasPrefix("multipart/form-data; boundary="),
                      let parts = Self.parts(body, boundary: String(type.dropFirst("multipart/form-data; boundary=".count))) else {
                    problems.append("The body is not multipart/form-data with a boundary.")
                    break
                }
                record.parts = parts
                problems += checkParts(parts)
            default:
                problems.append("Invalid URL (\(record.method) \(record.path))")
            }
            record.problems = problems
        }

        private func checkParts(_ parts: [Part]) -> [String] {
            var problems: [String] = []
            var names: Set<String> = []
            for part in parts {
                guard let filename = part.filename else {
                    if !names.insert(part.name).inserted { problems.append("Duplicate parameter '\(part.name)'.") }
                    if let problem = check(part.name, .string(String(decoding: part.bytes, as: UTF8.self)), multipart: true) {
                        problems.append(problem)
                    }
                    continue
                }
                if part.name != "image[]" && part.name != "mask" { problems.append("Unknown file parameter '\(part.name)'.") }
                if filename.isEmpty { problems.append("File part '\(part.name)' has no filename.") }
                if part.contentType == nil || part.contentType != ImageProbe.inspect(part.bytes)?.format.contentType {
                    problems.append("File part '\(filename)' is not an image of its declared Content-Type.")
                }
            }
            let images = parts.filter { $0.name == "image[]" }.count
            if !(1...16).contains(images) { problems.append("Expected 1 to 16 'image[]' files, got \(images).") }
            if parts.filter({ $0.name == "mask" }).count > 1 { problems.append("More than one 'mask'.") }
            return problems + missing(from: names)
        }

        private func missing(from names: Set<String>) -> [String] {
            let required: [String] = flavour == .openAI ? ["model", "prompt"] : ["prompt"]
            return required.filter { !names.contains($0) }.map { "Missing required parameter: '\($0)'." }
        }

        /// The problem with one field, or nil. Multipart fields are text, so `n` must be the text of an integer there.
        private func check(_ name: String, _ value: JSONValue, multipart: Bool) -> String? {
            let allowed: [String] = switch flavour {
            case .openAI: ["prompt", "model", "size", "quality", "n", "output_format", "background"]
                + (multipart ? [] : ["moderation"])  // edits take no `moderation`
            case .compatible: ["prompt", "size", "n", "model", "response_format"]
            }
            guard allowed.contains(name) else { return "Unknown parameter: '\(name)'." }
            let text: String? = if case .string(let string) = value { string } else { nil }
            func oneOf(_ values: [String]) -> String? {
                values.contains(text ?? "") ? nil : "Invalid value for '\(name)': must be one of \(values)."
            }
            switch name {
            case "prompt", "model":
                return text?.isEmpty == false ? nil : "'\(name)' must be a non-empty string."
            case "n":
                let count: Int64? = multipart ? text.flatMap { Int64($0) } : { if case .int(let n) = value { n } else { nil } }()
                return count.map { (1...10).contains($0) } == true ? nil : "'n' must be an integer from 1 to 10."
            case "size":
                guard let text, text.wholeMatch(of: /[1-9][0-9]*x[1-9][0-9]*/) != nil, let size = PixelSize(parsing: text) else {
                    return "'size' must be a 'WIDTHxHEIGHT' string."
                }
                return flavour == .openAI ? Self.gptImageProblem(size) : nil
            case "quality": return oneOf(["low", "medium", "high", "auto"])
            case "output_format": return oneOf(["png", "jpeg", "webp"])
            case "background": return oneOf(["transparent", "opaque", "auto"])
            case "moderation": return oneOf(["low", "auto"])
            case "response_format": return oneOf(["url", "b64_json"])
            default: return nil
            }
        }

        /// gpt-image-2's documented size constraints.
        static func gptImageProblem(_ size: PixelSize) -> String? {
            let long = max(size.width, size.height), short = min(size.width, size.height)
            if size.width % 16 != 0 || size.height % 16 != 0 { return "Invalid size \(size): sides must be multiples of 16." }
            if long > 3840 || long > 3 * short { return "Invalid size \(size): too long or too narrow." }
            if !(655_360...8_294_400).contains(size.pixels) { return "Invalid size \(size): total pixels out of range." }
            return nil
        }

        /// Splits a multipart body strictly (RFC 2046): CRLF-delimited, headers, blank line, content; nil when malformed.
        static func parts(_ body: [UInt8], boundary: String) -> [Part]? {
            let delimiter = Array("--\(boundary)".utf8), crlf: [UInt8] = [13, 10]
            var starts: [Int] = []
            var index = 0
            while index + delimiter.count <= body.count {
                if body[index] == delimiter[0], body[index..<(index + delimiter.count)].elementsEqual(delimiter),
                   index == 0 || (index >= 2 && body[(index - 2)..<index].elementsEqual(crlf)) {
                    starts.append(index)
                    index += delimiter.count
                } else {
                    index += 1
                }
            }
            guard starts.first == 0, let last = starts.last,
                  body[(last + delimiter.count)...].starts(with: Array("--".utf8)) else { return nil }
            var parts: [Part] = []
            for (start, next) in zip(starts, starts.dropFirst()) {
                let segment = Array(body[(start + delimiter.count)..<(next - 2)])
                let separator = Array("\r\n\r\n".utf8)
                guard segment.count >= 6, segment.starts(with: crlf),
                      let split = (2...(segment.count - 4)).first(where: { segment[$0..<($0 + 4)].elementsEqual(separator) })
                else { return nil }
                var part = Part(name: "", bytes: Array(segment[(split + 4)...]))
                for line in String(decoding: segment[2..<split], as: UTF8.self).components(separatedBy: "\r\n") {
                    let lowered = line.lowercased()
                    if lowered.hasPrefix("content-type:") {
                        part.contentType = line.dropFirst("content-type:".count).trimmingCharacters(in: .whitespaces)
                    } else if lowered.hasPrefix("content-disposition: form-data;") {
                        for parameter in line.split(separator: ";").dropFirst() {
                            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                            guard pair.count == 2, pair[1].hasPrefix("\""), pair[1].hasSuffix("\"") else { return nil }
                            let value = String(pair[1].dropFirst().dropLast())
                            if pair[0] == "name" { part.name = value } else if pair[0] == "filename" { part.filename = value }
                        }
                    } else {
                        return nil
                    }
                }
                guard !part.name.isEmpty else { return nil }
                parts.append(part)
            }
            return parts
        }
    }
}
