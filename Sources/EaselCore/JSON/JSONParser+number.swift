extension JSONParser {
    /// A number by JSON's grammar, read as `JSONDecoder` read it when asked for an `Int64` first: digits alone that fit
    /// are that integer; any other number is its double, which is an integer when it is a whole number an `Int64`
    /// holds, below 2^53 by that double's value (`1.0`, `1e2`, `1e-400` → 0) and from 2^53 by the decimal text without
    /// its fraction (`9007199254740993.0` → 9007199254740993), where Foundation re-reads the text as a `Decimal`.
    mutating func number() throws(JSONValue.SyntaxError) -> JSONValue {
        let start = index
        let negative = consume(UInt8(ascii: "-"))
        let integerStart = index
        guard index < bytes.count, isDigit(bytes[index]) else { throw failure("expected a digit") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) { throw failure("a number cannot start with 0") }
        } else {
            skipDigits()
        }
        let integerEnd = index
        var fractionEnd = index
        if consume(UInt8(ascii: ".")) {
            let fractionStart = index
            skipDigits()
            guard index > fractionStart else { throw failure("expected a digit after `.`") }
            fractionEnd = index
        }
        var exponentStart: Int?
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            exponentStart = index
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            let digitsStart = index
            skipDigits()
            guard index > digitsStart else { throw failure("expected a digit in the exponent") }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        if fractionEnd == integerEnd, exponentStart == nil, let integer = Int64(text) { return .int(integer) }
        guard let double = Double(text), double.isFinite else { throw failure("the number does not fit in a double") }
        guard let integral = Int64(exactly: double) else { return .double(double) }
        if double.magnitude < 0x1p53 { return .int(integral) }
        var exponent = 0
        if let exponentStart {
            let digits = String(decoding: UnsafeBufferPointer(rebasing: bytes[exponentStart..<index]), as: UTF8.self)
            guard let value = Int(digits), value.magnitude < 10_000 else { return .double(double) }
            exponent = value
        }
        guard let whole = wholeDigits(integer: integerStart..<integerEnd, fractionEnd: fractionEnd, exponent: exponent,
                                      negative: negative) else { return .double(double) }
        return .int(whole)
    }

    /// The decimal's value without its fraction, when it lies above `Int64.min` and at most at `Int64.max`, and its
    /// significant digits (the fraction without trailing zeros) fit in 64 bits, as `Decimal.int64Value` requires.
    private func wholeDigits(integer: Range<Int>, fractionEnd: Int, exponent: Int, negative: Bool) -> Int64? {
        var fraction = integer.upperBound == fractionEnd ? fractionEnd..<fractionEnd : (integer.upperBound + 1)..<fractionEnd
        while let last = fraction.last, bytes[last] == UInt8(ascii: "0") { fraction = fraction.lowerBound..<last }
        var significand: UInt64 = 0
        for position in Array(integer) + Array(fraction) {
            let (times10, overflow) = significand.multipliedReportingOverflow(by: 10)
            let (sum, carry) = times10.addingReportingOverflow(UInt64(bytes[position] - UInt8(ascii: "0")))
            guard !overflow, !carry else { return nil }
            significand = sum
        }
        let wholeCount = integer.count + exponent
        guard wholeCount > 0, wholeCount <= 19 else { return nil }
        var magnitude: UInt64 = 0
        for position in 0..<wholeCount {
            let offset = position - integer.count
            let byte = position < integer.count ? bytes[integer.lowerBound + position]
                : offset < fraction.count ? bytes[fraction.lowerBound + offset] : UInt8(ascii: "0")
            magnitude = magnitude * 10 + UInt64(byte - UInt8(ascii: "0"))
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return negative ? -Int64(magnitude) : Int64(magnitude)
    }

    private mutating func skipDigits() {
        while index < bytes.count, isDigit(bytes[index]) { index += 1 }
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}
