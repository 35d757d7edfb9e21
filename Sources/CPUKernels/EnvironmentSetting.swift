/// A setting given by an environment variable that names one case of an enumeration
/// (`STYLEPROMPTER_KERNELS`, `STYLEPROMPTER_TUNING`).
enum EnvironmentSetting {
    /// The case of `T` that `environment[variable]` names, in any letter case; nil when the variable
    /// is unset or empty. Any other value throws `unknown(value, names)`, names being every case's,
    /// comma separated.
    static func value<T: RawRepresentable & CaseIterable, E: Error>(
        of variable: String, in environment: [String: String], unknown: (String, String) -> E
    ) throws(E) -> T? where T.RawValue == String {
        guard let raw = environment[variable], !raw.isEmpty else { return nil }
        guard let value = T(rawValue: raw.lowercased()) else {
            throw unknown(raw, T.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return value
    }
}
