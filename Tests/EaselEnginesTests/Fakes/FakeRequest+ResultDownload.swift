extension FakeRequest {
    /// When this is a download of a result link the fake handed out (`GET <prefix>…/<index>….<ext>`): the reply
    /// `serve(index, fileName)` makes, or 404 when the file name starts with no index; credentials sent to the
    /// result host are noted in `problems`. Nil for any other request.
    func resultDownload(under prefix: String, problems: inout [String],
                        _ serve: (_ index: Int, _ fileName: String) -> FakeReply) -> FakeReply? {
        guard method == "GET", path.hasPrefix(prefix) else { return nil }
        if header("authorization") != nil { problems.append("credentials sent to the result host") }
        let fileName = path.split(separator: "/").last.map(String.init) ?? ""
        guard let index = Int(fileName.prefix { $0.isNumber }) else { return .text(404, "") }
        return serve(index, fileName)
    }
}
