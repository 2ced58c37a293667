import Foundation

/// The enumerated request values and their canonical spellings. Matching ignores case, surrounding spaces and
/// underscores (`allow_adult` → `AllowAdult`); dialect decoders can use these too.
public enum RequestVocabulary {
    /// Accepted output formats.
    public static let outputFormats = ["jpeg", "png"]
    /// Accepted `PersonGeneration` values.
    public static let personGenerations = ["AllowAdult", "Disallowed"]
    /// Accepted `InputRegion` values.
    public static let inputRegions = ["Mainland", "Oversea", "OverseaUSWest"]
    /// Accepted `StorageMode` values.
    public static let storageModes = [StorageMode.temporary.rawValue, StorageMode.permanent.rawValue]

    /// `jpeg` or `png` (`jpg` and any case accepted), or nil.
    public static func outputFormat(_ text: String) -> String? {
        let folded = fold(text)
        return folded == "jpg" ? "jpeg" : canonical(text, in: outputFormats)
    }

    /// `AllowAdult` or `Disallowed`, or nil.
    public static func personGeneration(_ text: String) -> String? { canonical(text, in: personGenerations) }

    /// `Mainland`, `Oversea` or `OverseaUSWest`, or nil.
    public static func inputRegion(_ text: String) -> String? { canonical(text, in: inputRegions) }

    /// The storage mode named by `text`, or nil.
    public static func storageMode(_ text: String) -> StorageMode? {
        canonical(text, in: storageModes).flatMap(StorageMode.init(rawValue:))
    }

    /// The member of `values` that `text` names, in the list's spelling, or nil.
    public static func canonical(_ text: String, in values: [String]) -> String? {
        let folded = fold(text)
        return values.first { fold($0) == folded }
    }

    static func fold(_ text: String) -> String {
        String(text.trimmingWhitespace().lowercased().filter { $0 != "_" })
    }
}
