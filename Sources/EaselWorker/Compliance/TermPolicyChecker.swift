import EaselEngines
import Foundation
import Synchronization

/// The built-in policy: blocked terms (case-insensitive, whole words) and regular expressions, grouped into rules
/// with an optional category name that violation messages report instead of the matched text.
///
/// Text is normalised before matching, and terms are normalised the same way at init: invisible characters
/// (zero-width spaces and joiners, soft hyphens, bidi controls, variation selectors) are removed, the result is
/// NFKC-normalised (full-width and mathematical letters become plain ones, ligatures are split) and every run of
/// whitespace becomes one space. Patterns see that normalised text and always match case-insensitively.
///
/// "Whole word" means a term does not match inside a longer word of a space-delimited script (`ass` never matches
/// `class`); in scripts written without spaces (Han, kana, Thai) a term matches anywhere.
///
/// The negative prompt is skipped unless `checksNegativePrompt`: it lists what the image must *not* show, so a
/// cautious `nsfw, nude` there would otherwise be rejected. `checkOutput` does nothing: this checker has no image
/// classifier (pair it with a `ModerationEndpointChecker` in a `CompositeChecker` for output checks).
public struct TermPolicyChecker: ComplianceChecker {
    /// Terms and patterns sharing a category.
    public struct Rule: Sendable, Equatable {
        /// Reported in violation messages (`violence`, `self-harm`, …); nil reports `unspecified`.
        public var category: String?
        /// Blocked words or phrases.
        public var terms: [String]
        /// Swift `Regex` syntax.
        public var patterns: [String]

        /// Creates a rule.
        public init(category: String? = nil, terms: [String] = [], patterns: [String] = []) {
            self.category = category
            self.terms = terms
            self.patterns = patterns
        }
    }

    /// A rule that cannot be used: an invalid pattern or a term that is empty once normalised.
    public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
        /// What is wrong, naming the rule.
        public var message: String
        public var description: String { message }
    }

    /// Which rule a text broke.
    public struct Violation: Sendable, Equatable {
        /// The rule's category (nil when it has none).
        public var category: String?
    }

    private let terms: [(term: [Unicode.Scalar], category: String?)]
    private let categories: [String?]
    private let patterns: Patterns
    private let checksNegativePrompt: Bool

    /// Compiles `rules`; throws `ConfigurationError` for an invalid pattern or an empty term.
    public init(rules: [Rule], checksNegativePrompt: Bool = false) throws(ConfigurationError) {
        var terms: [(term: [Unicode.Scalar], category: String?)] = []
        var regexes: [Regex<AnyRegexOutput>] = []
        var categories: [String?] = []
        for (index, rule) in rules.enumerated() {
            let name = "rule \(index + 1)" + (rule.category.map { " (\($0))" } ?? "")
            for term in rule.terms {
                let normalised = Self.normalise(term).lowercased()
                guard !normalised.isEmpty else { throw ConfigurationError(message: "\(name): a term is empty.") }
                terms.append((Array(normalised.unicodeScalars), rule.category))
            }
            for pattern in rule.patterns {
                do {
                    regexes.append(try Regex(pattern).ignoresCase())
                    categories.append(rule.category)
                } catch {
                    throw ConfigurationError(message: "\(name): invalid pattern \(pattern): \(error)")
                }
            }
        }
        self.terms = terms
        self.categories = categories
        self.patterns = Patterns(regexes)
        self.checksNegativePrompt = checksNegativePrompt
    }

    public func checkInput(prompt: String?, negativePrompt: String?) async throws {
        if let prompt, let found = violation(in: prompt) {
            throw ComplianceError.inputViolation(field: "prompt", categories: found.category.map { [$0] } ?? [])
        }
        if checksNegativePrompt, let negativePrompt, let found = violation(in: negativePrompt) {
            throw ComplianceError.inputViolation(field: "negative prompt", categories: found.category.map { [$0] } ?? [])
        }
    }

    /// A no-op: this checker has no image classifier.
    public func checkOutput(_ images: [GeneratedImage], prompt: String?) async throws {}

    /// The first rule `text` breaks (terms before patterns), or nil when it passes.
    public func violation(in text: String) -> Violation? {
        let normalised = Self.normalise(text)
        let scalars = Array(normalised.lowercased().unicodeScalars)
        for (term, category) in terms where Self.contains(scalars, wholeWord: term) { return Violation(category: category) }
        if let index = patterns.firstMatch(in: normalised) { return Violation(category: categories[index]) }
        return nil
    }

    /// Removes invisible characters, applies NFKC and collapses whitespace runs to one space (trimmed).
    public static func normalise(_ text: String) -> String {
        var visible = String.UnicodeScalarView()
        visible.append(contentsOf: text.unicodeScalars.filter { !isInvisible($0) })
        var result = ""
        var pendingSpace = false
        for character in String(visible).precomposedStringWithCompatibilityMapping {
            if character.isWhitespace {
                pendingSpace = !result.isEmpty
                continue
            }
            if pendingSpace { result.append(" ") }
            pendingSpace = false
            result.append(character)
        }
        return result
    }

    private static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x034F, 0x115F, 0x1160, 0x3164, 0xFFA0, 0xFE00...0xFE0F, 0xE0100...0xE01EF: return true
        default: return scalar.properties.generalCategory == .format
        }
    }

    // Scalars rather than Characters: plain integer comparisons keep hundreds of terms × 10k characters cheap.
    private static func contains(_ text: [Unicode.Scalar], wholeWord term: [Unicode.Scalar]) -> Bool {
        guard term.count <= text.count else { return false }
        for start in 0...(text.count - term.count)
        where text[start] == term[0] && text[start..<start + term.count].elementsEqual(term) {
            let end = start + term.count
            let before = start > 0 ? text[start - 1] : nil
            let after = end < text.count ? text[end] : nil
            if !joins(before, term[0]), !joins(term[term.count - 1], after) { return true }
        }
        return false
    }

    // Two adjacent characters belong to one word when both are word characters of a space-delimited script.
    private static func joins(_ left: Unicode.Scalar?, _ right: Unicode.Scalar?) -> Bool {
        guard let left, let right else { return false }
        return isSpacedWordCharacter(left) && isSpacedWordCharacter(right)
    }

    private static func isSpacedWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter, .decimalNumber,
             .letterNumber, .otherNumber, .nonspacingMark, .spacingMark, .connectorPunctuation:
            break
        default:
            return false
        }
        switch scalar.value {
        case 0x0E00...0x0EFF, 0x1000...0x109F, 0x1780...0x17FF, 0x3040...0x30FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
             0xF900...0xFAFF, 0xFF66...0xFF9F, 0x20000...0x3FFFF:
            return false  // Thai, Lao, Myanmar, Khmer, kana, Han: no spaces between words.
        default:
            return true
        }
    }
}

// `Regex` is not `Sendable`; a mutex makes the compiled patterns shareable without recompiling them per check.
private final class Patterns: Sendable {
    private let regexes: Mutex<[Regex<AnyRegexOutput>]>

    init(_ regexes: sending [Regex<AnyRegexOutput>]) {
        self.regexes = Mutex(regexes)
    }

    func firstMatch(in text: String) -> Int? {
        regexes.withLock { regexes in regexes.firstIndex { text.contains($0) } }
    }
}
