import EaselMacroExpansions
import SwiftCompilerPlugin
import SwiftSyntaxMacros

/// The compiler plugin that carries Easel's macros.
@main
struct EaselMacroPlugin: CompilerPlugin {
    let providingMacros: [any Macro.Type] = [MemberwiseInitMacro.self]
}
