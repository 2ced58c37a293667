import EaselCore
import Foundation

/// How list commands print: one compact JSON object per line (for scripts), or a table (`--table`).
enum Printer {
    /// One compact JSON object on its own line.
    static func line(_ value: JSONValue) {
        print(String(decoding: value.encoded(), as: UTF8.self))
    }

    /// Each object on its own line, or a table of `keys`.
    static func list(_ objects: [JSONValue], table: Bool, keys: [String]) {
        if table {
            print(TextTable(objects: objects, keys: keys).render())
        } else {
            objects.forEach(line)
        }
    }

    /// A note for people (pagination hints, counts) on stderr, so stdout stays machine-readable.
    static func note(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
