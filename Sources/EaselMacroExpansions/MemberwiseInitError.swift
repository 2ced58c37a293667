import SwiftDiagnostics
import SwiftSyntax
import SwiftSyntaxMacros

/// Why `@MemberwiseInit` cannot write an initializer, as a compiler error at the syntax it concerns.
enum MemberwiseInitError {
    /// An error diagnostic saying `message` at `node`.
    static func at(_ node: some SyntaxProtocol, _ message: String) -> DiagnosticsError {
        DiagnosticsError(diagnostics: [Diagnostic(node: node, message: MacroExpansionErrorMessage(message))])
    }
}
