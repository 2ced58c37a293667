import SwiftSyntax

/// A stored property the memberwise initializer sets, with the parameter that carries its value.
struct StoredProperty {
    /// The property's name as written (backticks kept).
    let name: String
    /// `name: Type = default`, `@escaping` before a function type.
    let parameter: String

    /// The properties `variable` declares that an initializer must set: not static, not computed, and not a `let`
    /// that already has its value.
    static func all(in variable: VariableDeclSyntax) throws -> [StoredProperty] {
        let skipped: [Keyword] = [.static, .class, .lazy]
        if variable.modifiers.contains(where: { modifier in skipped.contains { modifier.name.tokenKind == .keyword($0) } }) {
            return []
        }
        let isLet = variable.bindingSpecifier.tokenKind == .keyword(.let)
        var properties: [StoredProperty] = []
        for binding in variable.bindings where !isComputed(binding) && !(isLet && binding.initializer != nil) {
            guard let name = binding.pattern.as(IdentifierPatternSyntax.self)?.identifier.text else {
                throw MemberwiseInitError.at(binding, "@MemberwiseInit needs one name per stored property")
            }
            guard let type = binding.typeAnnotation?.type else {
                throw MemberwiseInitError.at(binding, "@MemberwiseInit needs the type of `\(name)` written out")
            }
            var parameter = "\(name): \(isFunction(type) ? "@escaping " : "")\(type.trimmedDescription)"
            if let initial = binding.initializer {
                parameter += " = \(initial.value.trimmedDescription)"
            } else if type.is(OptionalTypeSyntax.self) || type.is(ImplicitlyUnwrappedOptionalTypeSyntax.self) {
                parameter += " = nil"
            }
            properties.append(StoredProperty(name: name, parameter: parameter))
        }
        return properties
    }

    // Observers (`willSet`, `didSet`) keep a property stored; any other accessor makes it computed.
    private static func isComputed(_ binding: PatternBindingSyntax) -> Bool {
        switch binding.accessorBlock?.accessors {
        case nil: false
        case .getter: true
        case .accessors(let accessors):
            accessors.contains { ![.keyword(.willSet), .keyword(.didSet)].contains($0.accessorSpecifier.tokenKind) }
        }
    }

    // A closure parameter must be `@escaping` to be stored; an optional one already is.
    private static func isFunction(_ type: TypeSyntax) -> Bool {
        if type.is(FunctionTypeSyntax.self) { return true }
        if let attributed = type.as(AttributedTypeSyntax.self) { return isFunction(attributed.baseType) }
        return false
    }
}
