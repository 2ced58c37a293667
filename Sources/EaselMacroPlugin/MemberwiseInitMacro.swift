import EaselMacroExpansions
import SwiftSyntax
import SwiftSyntaxMacros

/// `@MemberwiseInit`. The compiler finds a macro by the plugin's module name, so the type lives here and hands the
/// work to ``MemberwiseInitExpansion``, which its tests call directly.
public struct MemberwiseInitMacro: MemberMacro {
    public static func expansion(of node: AttributeSyntax, providingMembersOf declaration: some DeclGroupSyntax,
                                 conformingTo protocols: [TypeSyntax], in context: some MacroExpansionContext) throws -> [DeclSyntax] {
        try MemberwiseInitExpansion.expansion(of: node, providingMembersOf: declaration, conformingTo: protocols, in: context)
    }
}
