import EaselCore

/// A plain-text table: a header row, then one row per item, columns padded to their widest cell and separated by
/// two spaces. Numeric columns are right-aligned so figures line up.
struct TextTable: Sendable, Equatable {
    /// One column: its header and whether its cells are right-aligned.
    struct Column: Sendable, Equatable {
        var header: String
        var rightAligned = false
    }

    var columns: [Column]
    var rows: [[String]]

    /// A table of `objects` showing `keys` (headers are the keys in upper snake case, `AppId` → `APP_ID`); cells
    /// render JSON scalars as text, null and missing values as `-`, and columns whose cells are all numbers are
    /// right-aligned.
    init(objects: [JSONValue], keys: [String]) {
        rows = objects.map { object in keys.map { Self.cell(object[$0]) } }
        columns = keys.indices.map { index in
            let cells = objects.map { $0[keys[index]] }
            let numeric = !cells.isEmpty && cells.allSatisfy { cell in
                switch cell {
                case .int?, .double?, .null?, nil: true
                default: false
                }
            }
            return Column(header: RESTKeys.snakePath(keys[index]).uppercased(), rightAligned: numeric)
        }
    }

    /// A table with explicit columns and cells.
    init(columns: [Column], rows: [[String]]) {
        self.columns = columns
        self.rows = rows
    }

    /// The lines of the table, without trailing spaces.
    func render() -> String {
        let widths = columns.indices.map { index in
            ([columns[index].header] + rows.map { index < $0.count ? $0[index] : "" }).map(\.count).max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            let padded = columns.indices.map { index -> String in
                let text = index < cells.count ? cells[index] : ""
                let padding = String(repeating: " ", count: max(0, widths[index] - text.count))
                return columns[index].rightAligned ? padding + text : text + padding
            }
            return String(padded.joined(separator: "  ").reversed().drop(while: { $0 == " " }).reversed())
        }
        return ([line(columns.map(\.header))] + rows.map(line)).joined(separator: "\n")
    }

    /// The text of a JSON value in a cell.
    static func cell(_ value: JSONValue?) -> String {
        switch value {
        case nil, .null?: "-"
        case .string(let text)?: text.isEmpty ? "-" : text
        case .int(let number)?: String(number)
        case .double(let number)?: number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .bool(let flag)?: flag ? "yes" : "no"
        case .array(let items)?: String(items.count)
        case .object(let members)?: String(decoding: JSONValue.object(members).encoded(), as: UTF8.self)
        }
    }
}
