/// Text made safe for HTML and SVG: element content and attribute values alike.
///
/// ```swift
/// HTMLText.escape("<script> & \"x\"")   // "&lt;script&gt; &amp; &quot;x&quot;"
/// ```
public enum HTMLText {
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
