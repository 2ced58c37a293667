import Foundation

/// Reference images and scene types.
extension RequestValidator {
    /// Base64 images may total 7 MB, to stay under the 10 MB API packet limit (4.2).
    public static let base64Limit = 7 * 1024 * 1024

    func checkInputs(_ request: inout ImageRequest, spec: ModelSpec, fields: FieldNames) throws(APIError) {
        if request.inputs.count > spec.maxReferenceImages {
            throw Self.invalid(fields.inputs, "model \(spec) accepts at most \(spec.maxReferenceImages) reference "
                + "images, got \(request.inputs.count)")
        }
        var base64Total = 0
        for index in request.inputs.indices {
            let input = request.inputs[index]
            switch input.source {
            case .file:
                if (input.fileId ?? "").trimmingWhitespace().isEmpty {
                    throw Self.invalid(fields.input(index, .fileId), "a File input needs a FileId")
                }
            case .url:
                guard let url = input.url, Self.isHTTPURL(url) else {
                    throw Self.invalid(fields.input(index, .url), "must be an absolute http or https URL, got `\(input.url ?? "")`")
                }
            case .base64:
                base64Total += try Self.checkBase64(input.base64, field: fields.input(index, .base64))
            }
            if let text = input.text, !text.isEmpty, !spec.supportsImageText {
                throw Self.invalid(fields.input(index, .text), "model \(spec) does not accept image descriptions; "
                    + "only GG and GEM do")
            }
            try checkReferenceType(&request.inputs[index], index: index, spec: spec, fields: fields)
        }
        if base64Total > Self.base64Limit {
            throw Self.invalid(fields.inputs, "base64 images total \(base64Total) bytes; at most \(Self.base64Limit) (7 MB) are allowed")
        }
    }

    private func checkReferenceType(_ input: inout InputImage, index: Int, spec: ModelSpec, fields: FieldNames) throws(APIError) {
        guard let reference = input.referenceType, !reference.trimmingWhitespace().isEmpty else { return }
        let isMask = RequestVocabulary.canonical(reference, in: ["mask"]) != nil
        if isMask {
            guard spec.supportsMask else {
                throw Self.invalid(fields.input(index, .referenceType), "`mask` is only accepted by model OG, not \(spec)")
            }
            input.referenceType = "mask"
        } else if spec.supportsMask {
            // OG documents `mask` as the only reference type; other models (Vidu subject ids, GV asset/style) pass.
            throw Self.invalid(fields.input(index, .referenceType), "model \(spec) accepts only `mask`, got `\(reference)`")
        }
    }

    /// The encoded length of a valid base64 payload.
    private static func checkBase64(_ payload: String?, field: String) throws(APIError) -> Int {
        guard let payload, !payload.isEmpty else { throw invalid(field, "a Base64 input needs base64 data") }
        if payload.prefix(5).lowercased() == "data:" {
            throw invalid(field, "must be bare base64 without a `data:...;base64,` prefix")
        }
        // Line-wrapped (MIME) and unpadded base64 is common; neither changes the bytes.
        var compact = payload.filter { !$0.isWhitespace }
        if compact.count % 4 != 0 { compact += String(repeating: "=", count: 4 - compact.count % 4) }
        guard Data(base64Encoded: compact) != nil else { throw invalid(field, "is not valid base64") }
        return compact.utf8.count
    }

    static func isHTTPURL(_ text: String) -> Bool {
        guard let url = URL(string: text.trimmingWhitespace()), let scheme = url.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty else { return false }
        return true
    }

    func checkSceneType(_ request: inout ImageRequest, spec: ModelSpec, fields: FieldNames) throws(APIError) {
        guard let scene = request.sceneType else { return }
        guard let canonical = RequestVocabulary.canonical(scene, in: spec.sceneTypes) else {
            let allowed = spec.sceneTypes.isEmpty ? "model \(spec) supports no scene type"
                : "allowed values for model \(spec): \(Self.list(spec.sceneTypes))"
            throw Self.invalid(fields.sceneType, "`\(scene)` is not supported; \(allowed)")
        }
        request.sceneType = canonical
        if canonical == "image_expand" { try checkExpansion(request, fields: fields) }
    }

    /// Kling outpainting: each expansion ratio in [0, 2], and the new area at most 3× the original (4.4).
    private func checkExpansion(_ request: ImageRequest, fields: FieldNames) throws(APIError) {
        if request.inputs.isEmpty { throw .missing(fields.inputs) }
        var ratios: [String: Double] = [:]
        for side in ["up", "down", "left", "right"] {
            let key = "\(side)_expansion_ratio"
            guard let value = request.additionalParameters?[key] else { continue }
            guard let ratio = Self.number(value), (0...2).contains(ratio) else {
                throw Self.invalid(fields.additionalParameter(key),
                                   "must be a number in [0, 2], got \(value.lenientString ?? "a non-number")")
            }
            ratios[side] = ratio
        }
        let growth = (1 + (ratios["up"] ?? 0) + (ratios["down"] ?? 0)) * (1 + (ratios["left"] ?? 0) + (ratios["right"] ?? 0))
        if growth > 3 {
            throw Self.invalid(fields.additionalParameters,
                               "the expanded image may be at most 3× the original area, got \(growth)×")
        }
    }

    private static func number(_ value: JSONValue) -> Double? {
        switch value {
        case .int(let number): Double(number)
        case .double(let number): number
        case .string(let text): Double(text.trimmingWhitespace())
        default: nil
        }
    }
}
