/// What an attribute predictor predicts: continuous attributes (regressed, one output each) and
/// categorical ones (one logit per class), in the order of a labels row.
///
/// ```swift
/// let layout = AttributeLayout(names: FaceAttributes.labelNames, categorical: ["hairStyle": 4, "glasses": 3])
/// ```
public struct AttributeLayout: Codable, Equatable, Sendable {
    public struct Category: Codable, Equatable, Sendable {
        public var name: String
        public var classes: Int
    }

    /// Every label name, in the order of a labels row.
    public var names: [String]
    /// The categorical labels among them and their class counts (labels hold the class index).
    public var categories: [Category]

    public init(names: [String], categorical: [String: Int]) {
        self.names = names
        categories = names.compactMap { name in categorical[name].map { Category(name: name, classes: $0) } }
    }

    public var continuousNames: [String] { names.filter { name in !categories.contains { $0.name == name } } }
    /// Outputs of the predictor: one per continuous label, then the logits of each category.
    public var outputCount: Int { continuousNames.count + categories.reduce(0) { $0 + $1.classes } }

    /// Refuses layouts that cannot be trained (no labels, a category with < 2 or > 1000 classes).
    public func validate() throws {
        guard !names.isEmpty, names.count <= 4096 else { throw PerceptualError.invalidInput("attribute layout: \(names.count) labels (1…4096)") }
        for category in categories where category.classes < 2 || category.classes > 1000 {
            throw PerceptualError.invalidInput("attribute layout: '\(category.name)' has \(category.classes) classes (2…1000)")
        }
    }
}
