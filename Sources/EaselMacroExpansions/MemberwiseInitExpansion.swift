import SwiftDiagnostics
import SwiftSyntax
import SwiftSyntaxMacros

/// What `@MemberwiseInit` expands to: the memberwise initializer of a struct at the struct's access level.
public struct MemberwiseInitExpansion: MemberMacro {
    public static func expansion(of node: AttributeSyntax, providingMembersOf declaration: some DeclGroupSyntax,
                                 conformingTo protocols: [TypeSyntax], in context: some MacroExpansionContext) throws -> [DeclSyntax] {
        guard declaration.is(StructDeclSyntax.self) else {
            throw MemberwiseInitError.at(node, "@MemberwiseInit applies to structs only")
        }
        var parameters: [String] = []
        var assignments: [String] = []
        for member in declaration.memberBlock.members {
            guard let variable = member.decl.as(VariableDeclSyntax.self) else { continue }
            for property in try StoredProperty.all(in: variable) {
                parameters.append(property.parameter)
                assignments.append("self.\(property.name) = \(property.name)")
            }
        }
        let access = declaration.modifiers.contains { $0.name.tokenKind == .keyword(.public) } ? "public " : ""
        let body = assignments.map { "    " + $0 }.joined(separator: "\n")
        return ["""
            /// Creates a value from its parts.
            \(raw: access)init(\(raw: parameters.joined(separator: ", "))) {
            \(raw: body)
            }
            """]
    }
}
