import EaselMacroExpansions
import SwiftSyntaxMacroExpansion
import SwiftSyntaxMacros
import SwiftSyntaxMacrosGenericTestSupport
import Testing

@Suite struct MemberwiseInitTests {
    private let macros: [String: MacroSpec] = ["MemberwiseInit": MacroSpec(type: MemberwiseInitExpansion.self)]

    private func expect(_ source: String, expandsTo expanded: String, diagnostics: [DiagnosticSpec] = [],
                        sourceLocation: SourceLocation = #_sourceLocation) {
        assertMacroExpansion(source, expandedSource: expanded, diagnostics: diagnostics, macroSpecs: macros,
                             indentationWidth: .spaces(4)) { failure in
            Issue.record("\(failure.message)", sourceLocation: sourceLocation)
        }
    }

    /// `source` expands to itself without the attribute, with `member` (indented into the type's body) at its end.
    private func expect(_ source: String, adds member: String, sourceLocation: SourceLocation = #_sourceLocation) {
        var lines = source.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.removeAll { $0 == "@MemberwiseInit" }
        let body = member.split(separator: "\n", omittingEmptySubsequences: false).map { "    " + $0 }
        lines.insert(contentsOf: [""] + body, at: lines.count - 1)
        expect(source, expandsTo: lines.joined(separator: "\n"), sourceLocation: sourceLocation)
    }

    /// `source` expands to itself without the attribute, and the macro reports `message` at `line`:`column`.
    private func expect(_ source: String, fails message: String, line: Int, column: Int,
                        sourceLocation: SourceLocation = #_sourceLocation) {
        let expanded = source.split(separator: "\n").filter { $0 != "@MemberwiseInit" }.joined(separator: "\n")
        expect(source, expandsTo: expanded, diagnostics: [DiagnosticSpec(message: message, line: line, column: column)],
               sourceLocation: sourceLocation)
    }

    /// Each case: what it shows, the source, and the initializer its expansion adds.
    static let expansions: [(what: String, source: String, member: String)] = [
        ("a public struct gets a public initializer in declaration order", """
                @MemberwiseInit
                public struct Lease {
                    public let taskId: String
                    public var token: String
                }
                """, """
                /// Creates a value from its parts.
                public init(taskId: String, token: String) {
                    self.taskId = taskId
                    self.token = token
                }
                """),
        ("defaults come from initial values and optionals", """
                @MemberwiseInit
                struct Job {
                    var count: Int = 1
                    let note: String?
                    var log: @Sendable (String) async -> Void = { _ in }
                    var onDone: (() -> Void)?
                }
                """, """
                /// Creates a value from its parts.
                init(count: Int = 1, note: String? = nil, log: @escaping @Sendable (String) async -> Void = { _ in
                    }, onDone: (() -> Void)? = nil) {
                    self.count = count
                    self.note = note
                    self.log = log
                    self.onDone = onDone
                }
                """),
        ("computed, static and initialized constant properties are left out", """
                @MemberwiseInit
                public struct Spec {
                    public static let shared = 1
                    public let kind = "fixed"
                    public var name: String
                    public var title: String { name.uppercased() }
                    public var size: Int { didSet { print(size) } }
                }
                """, """
                /// Creates a value from its parts.
                public init(name: String, size: Int) {
                    self.name = name
                    self.size = size
                }
                """),
    ]

    @Test(arguments: expansions)
    func expansion(_ example: (what: String, source: String, member: String)) {
        expect(example.source, adds: example.member)
    }

    @Test func aPropertyWithoutItsTypeIsAnError() {
        expect("""
            @MemberwiseInit
            struct Loose {
                var count = 1
            }
            """, fails: "@MemberwiseInit needs the type of `count` written out", line: 3, column: 9)
    }

    @Test func aClassIsAnError() {
        expect("""
            @MemberwiseInit
            final class Box {
                var count: Int
            }
            """, fails: "@MemberwiseInit applies to structs only", line: 1, column: 1)
    }
}
