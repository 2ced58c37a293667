/// Gives a struct the initializer Swift would synthesize for it, at the struct's own access level, so a public
/// value type needs no hand-written `init` that only copies its parameters into its stored properties.
///
/// Parameters follow the stored properties in declaration order, labelled by their names. A `var` with an initial
/// value takes that value as its default, an optional without one defaults to `nil`, and a function-typed property
/// is taken `@escaping`. Computed properties, `static` ones and `let`s with an initial value are left out.
@attached(member, names: named(init))
public macro MemberwiseInit() = #externalMacro(module: "EaselMacroPlugin", type: "MemberwiseInitMacro")
